# Build the Windows installer: the PyInstaller bundle, then Inno Setup.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs: Python 3.11+ (python.org, "Add to PATH"), Inno Setup 6 (ISCC.exe on PATH or in
# its default folder). Output: dist\pos-app-setup-VERSION.exe. See docs/packaging.md.
$ErrorActionPreference = "Stop"
$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $root
if (-not (Test-Path ".venv\Scripts\python.exe")) { python -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install -q --upgrade pip
& $py -m pip install -q -e . "pyinstaller>=6.10,<7"
& $py packaging\build.py bundle
if ($LASTEXITCODE -ne 0) { throw "bundle failed" }
# smoke test of the bundle: drivers found, a headless sale on the emulated printer
& dist\pos-app\pos.exe devices list
& dist\pos-app\pos.exe --data-dir "$env:TEMP\pos-app-smoke" demo --headless --skus 200
if ($LASTEXITCODE -ne 0) { throw "bundle smoke test failed" }
$version = (& $py -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" "/DSourceDir=$root\dist\pos-app" "/O$root\dist" packaging\windows\pos-app.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "dist\pos-app-setup-$version.exe"

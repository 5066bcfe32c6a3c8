<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AdjustDialog</name>
    <message>
        <source>Adjust stock: %1</source>
        <translation>Bestand korrigieren: %1</translation>
    </message>
    <message>
        <source>%1 · on hand at %2: %3</source>
        <translation>%1 · Bestand in %2: %3</translation>
    </message>
    <message>
        <source>Damaged (removes stock)</source>
        <translation>Beschädigt (bucht aus)</translation>
    </message>
    <message>
        <source>Theft (removes stock)</source>
        <translation>Diebstahl (bucht aus)</translation>
    </message>
    <message>
        <source>Expired (removes stock)</source>
        <translation>Abgelaufen (bucht aus)</translation>
    </message>
    <message>
        <source>Internal use (removes stock)</source>
        <translation>Eigenverbrauch (bucht aus)</translation>
    </message>
    <message>
        <source>Returned to supplier (removes stock)</source>
        <translation>Zurück an Lieferanten (bucht aus)</translation>
    </message>
    <message>
        <source>Found (adds stock)</source>
        <translation>Gefunden (bucht ein)</translation>
    </message>
    <message>
        <source>Correction (adds, or removes with −)</source>
        <translation>Korrektur (bucht ein, mit − aus)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>optional</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>The first administrator</source>
        <translation>Der erste Administrator</translation>
    </message>
    <message>
        <source>This user sets up everything else: products, more users (cashiers, managers), devices. A PIN is 4 to 8 digits.</source>
        <translation>Dieser Benutzer richtet alles Weitere ein: Artikel, weitere Benutzer (Kassierer, Filialleiter), Geräte. Eine PIN hat 4 bis 8 Ziffern.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN wiederholen</translation>
    </message>
    <message>
        <source>A user name is letters, digits, &apos;.&apos;, &apos;@&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>Ein Benutzername besteht aus Buchstaben, Ziffern, &apos;.&apos;, &apos;@&apos;, &apos;_&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>A PIN is 4 to 8 digits.</source>
        <translation>Eine PIN hat 4 bis 8 Ziffern.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the PIN again.</source>
        <translation>Die beiden PINs sind verschieden: Geben Sie die PIN erneut ein.</translation>
    </message>
</context>
<context>
    <name>AmountDialog</name>
    <message>
        <source>What is it for?</source>
        <translation>Wofür ist es?</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Say what the money is for.</source>
        <translation>Geben Sie an, wofür das Geld ist.</translation>
    </message>
</context>
<context>
    <name>BackOffice</name>
    <message>
        <source>Enter a quantity.</source>
        <translation>Geben Sie eine Menge ein.</translation>
    </message>
    <message>
        <source>Back to the till</source>
        <translation>Zurück zur Kasse</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Lager</translation>
    </message>
    <message>
        <source>Purchasing</source>
        <translation>Einkauf</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Kunden</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Shifts</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Berichte</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
</context>
<context>
    <name>BarChart</name>
    <message>
        <source>No sales in this period</source>
        <translation>Keine Verkäufe in diesem Zeitraum</translation>
    </message>
</context>
<context>
    <name>CardDialog</name>
    <message>
        <source>Card payment</source>
        <translation>Kartenzahlung</translation>
    </message>
    <message>
        <source>Starting the terminal...</source>
        <translation>Terminal wird gestartet...</translation>
    </message>
    <message>
        <source>Cancel payment</source>
        <translation>Zahlung abbrechen</translation>
    </message>
    <message>
        <source>Ask the customer to insert, tap or swipe the card.</source>
        <translation>Bitten Sie den Kunden, die Karte zu stecken, aufzulegen oder durchzuziehen.</translation>
    </message>
    <message>
        <source>Processing... keep the card in the terminal.</source>
        <translation>Wird bearbeitet... Karte im Terminal lassen.</translation>
    </message>
    <message>
        <source>Approved.</source>
        <translation>Genehmigt.</translation>
    </message>
    <message>
        <source>Declined.</source>
        <translation>Abgelehnt.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Summe</translation>
    </message>
    <message>
        <source>%1 kg × %2</source>
        <translation>%1 kg × %2</translation>
    </message>
    <message>
        <source>price from the label</source>
        <translation>Preis vom Etikett</translation>
    </message>
    <message>
        <source>price changed from %1</source>
        <translation>Preis geändert von %1</translation>
    </message>
    <message>
        <source>discount %1</source>
        <translation>Rabatt %1</translation>
    </message>
    <message>
        <source>return</source>
        <translation>Rückgabe</translation>
    </message>
</context>
<context>
    <name>CashCountDialog</name>
    <message>
        <source>Count the drawer</source>
        <translation>Kassensturz</translation>
    </message>
    <message>
        <source>Card slips total</source>
        <translation>Summe Kartenbelege</translation>
    </message>
    <message>
        <source>Close shift</source>
        <translation>Schicht schließen</translation>
    </message>
    <message>
        <source>Cash counted: %1</source>
        <translation>Bar gezählt: %1</translation>
    </message>
</context>
<context>
    <name>CategoriesDialog</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>%1  (%2 products)</source>
        <translation>%1  (%2 Artikel)</translation>
    </message>
</context>
<context>
    <name>CountSheet</name>
    <message>
        <source>All counts</source>
        <translation>Alle Inventuren</translation>
    </message>
    <message>
        <source>Cancel count</source>
        <translation>Inventur abbrechen</translation>
    </message>
    <message>
        <source>Review and commit</source>
        <translation>Prüfen und buchen</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>Gezählt</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Erfassen</translation>
    </message>
    <message>
        <source>Add to what was counted</source>
        <translation>Zur gezählten Menge addieren</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>Soll</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>%1 items counted, %2 with a difference.</source>
        <translation>%1 Artikel gezählt, %2 mit Differenz.</translation>
    </message>
    <message>
        <source>%1 still to count.</source>
        <translation>Noch %1 zu zählen.</translation>
    </message>
    <message>
        <source>Nothing counted yet.</source>
        <translation>Noch nichts gezählt.</translation>
    </message>
    <message>
        <source>Commit %1</source>
        <translation>%1 buchen</translation>
    </message>
    <message>
        <source>%1 items counted. Committing books these %2 differences at once; items not counted keep their stock.</source>
        <translation>%1 Artikel gezählt. Beim Buchen werden diese %2 Differenzen auf einmal gebucht; nicht gezählte Artikel behalten ihren Bestand.</translation>
    </message>
    <message>
        <source>%1 committed: %2 differences booked.</source>
        <translation>%1 gebucht: %2 Differenzen gebucht.</translation>
    </message>
    <message>
        <source>Go on counting</source>
        <translation>Weiter zählen</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>Buchen</translation>
    </message>
    <message>
        <source>%1 cancelled; no stock changed.</source>
        <translation>%1 abgebrochen; kein Bestand geändert.</translation>
    </message>
    <message>
        <source>Cancel %1?</source>
        <translation>%1 abbrechen?</translation>
    </message>
    <message>
        <source>The counted quantities are dropped and no stock changes.</source>
        <translation>Die gezählten Mengen werden verworfen, der Bestand bleibt unverändert.</translation>
    </message>
    <message>
        <source>Cancel the count</source>
        <translation>Inventur abbrechen</translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <source>Ready</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Check the summary, then create the store. Afterwards log in as the administrator, open the shift and sell.</source>
        <translation>Prüfen Sie die Zusammenfassung und legen Sie dann die Filiale an. Melden Sie sich danach als Administrator an, öffnen Sie die Schicht und verkaufen Sie.</translation>
    </message>
    <message>
        <source>Create the store</source>
        <translation>Filiale anlegen</translation>
    </message>
    <message>
        <source>Shop: %1 (store %2, till %3)</source>
        <translation>Geschäft: %1 (Filiale %2, Kasse %3)</translation>
    </message>
    <message>
        <source>Currency: %1, prices %2</source>
        <translation>Währung: %1, Preise %2</translation>
    </message>
    <message>
        <source>include tax</source>
        <translation>inkl. Steuer</translation>
    </message>
    <message>
        <source>without tax</source>
        <translation>ohne Steuer</translation>
    </message>
    <message>
        <source>Administrator: %1</source>
        <translation>Administrator: %1</translation>
    </message>
    <message>
        <source>Devices: %1</source>
        <translation>Geräte: %1</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keine</translation>
    </message>
    <message>
        <source>Products from %1</source>
        <translation>Artikel aus %1</translation>
    </message>
    <message>
        <source>Webhook: %1</source>
        <translation>Webhook: %1</translation>
    </message>
</context>
<context>
    <name>CustomerDialog</name>
    <message>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <source>Code, name, e-mail or phone</source>
        <translation>Nummer, Name, E-Mail oder Telefon</translation>
    </message>
    <message>
        <source>No customer</source>
        <translation>Kein Kunde</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Zuordnen</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 points · credit %4</source>
        <translation>%1 · %2 · %3 Punkte · Guthaben %4</translation>
    </message>
    <message>
        <source>Choose a customer.</source>
        <translation>Wählen Sie einen Kunden.</translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <source>Customers</source>
        <translation>Kunden</translation>
    </message>
    <message>
        <source>Edit customer</source>
        <translation>Kunde bearbeiten</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>Neuer Kunde</translation>
    </message>
    <message>
        <source>Name, code, e-mail or phone</source>
        <translation>Name, Nummer, E-Mail oder Telefon</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <source>Tax exempt</source>
        <translation>Steuerbefreit</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Punkte</translation>
    </message>
    <message>
        <source>Store credit</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <source>Choose a customer in the list first.</source>
        <translation>Wählen Sie zuerst einen Kunden in der Liste.</translation>
    </message>
    <message>
        <source>Customer number</source>
        <translation>Kundennummer</translation>
    </message>
    <message>
        <source>e.g. C0051</source>
        <translation>z. B. C0051</translation>
    </message>
    <message>
        <source>%1 · %2 points · store credit %3</source>
        <translation>%1 · %2 Punkte · Guthaben %3</translation>
    </message>
    <message>
        <source>Tax exempt (no tax on their purchases)</source>
        <translation>Steuerbefreit (keine Steuer auf Einkäufe)</translation>
    </message>
    <message>
        <source>Exemption certificate</source>
        <translation>Befreiungsnachweis</translation>
    </message>
    <message>
        <source>needed when tax exempt</source>
        <translation>nötig bei Steuerbefreiung</translation>
    </message>
    <message>
        <source>Customer %1 saved.</source>
        <translation>Kunde %1 gespeichert.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
<context>
    <name>DemoPanel</name>
    <message>
        <source>Demo devices</source>
        <translation>Demo-Geräte</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>Kundendisplay</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <source>a barcode, e.g. %1</source>
        <translation>ein Barcode, z. B. %1</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>Scannen</translation>
    </message>
    <message>
        <source>Coffee</source>
        <translation>Kaffee</translation>
    </message>
    <message>
        <source>Cheese 0.435 kg label</source>
        <translation>Käse-Etikett 0,435 kg</translation>
    </message>
    <message>
        <source>Bread €3.49 label</source>
        <translation>Brot-Etikett 3,49 €</translation>
    </message>
    <message>
        <source>Scale (kg)</source>
        <translation>Waage (kg)</translation>
    </message>
    <message>
        <source>Put on the scale</source>
        <translation>Auf die Waage legen</translation>
    </message>
    <message>
        <source>Printer and drawer</source>
        <translation>Drucker und Kassenlade</translation>
    </message>
    <message>
        <source>Out of paper</source>
        <translation>Papier leer</translation>
    </message>
    <message>
        <source>Close the drawer</source>
        <translation>Kassenlade schließen</translation>
    </message>
    <message>
        <source>Drawer: open</source>
        <translation>Kassenlade: offen</translation>
    </message>
    <message>
        <source>Drawer: closed</source>
        <translation>Kassenlade: zu</translation>
    </message>
</context>
<context>
    <name>DeviceDialog</name>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>Treiber</translation>
    </message>
    <message>
        <source>(automatic)</source>
        <translation>(automatisch)</translation>
    </message>
    <message>
        <source>tcp:// network printers, serial:// and usb:// devices, file:// printers and evdev scanners, stripe:// readers, sim:// simulators.</source>
        <translation>tcp:// Netzwerkdrucker, serial:// und usb:// Geräte, file:// Drucker und evdev-Scanner, stripe:// Kartenleser, sim:// Simulatoren.</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>In Betrieb</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>unusable</source>
        <translation>nicht nutzbar</translation>
    </message>
    <message>
        <source>%1 saved: %2 via %3. It is used from the next start of the till.</source>
        <translation>%1 gespeichert: %2 über %3. Gilt ab dem nächsten Start der Kasse.</translation>
    </message>
</context>
<context>
    <name>DeviceWords</name>
    <message>
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <source>Drawer closed.</source>
        <translation>Kassenlade geschlossen.</translation>
    </message>
    <message>
        <source>Drawer open.</source>
        <translation>Kassenlade offen.</translation>
    </message>
    <message>
        <source>Working...</source>
        <translation>Arbeitet...</translation>
    </message>
    <message>
        <source>The paper roll is nearly empty. Have a new roll ready.</source>
        <translation>Die Papierrolle ist fast leer. Legen Sie eine neue Rolle bereit.</translation>
    </message>
    <message>
        <source>Out of paper. Put in a new roll; waiting receipts print by themselves afterwards.</source>
        <translation>Papier leer. Legen Sie eine neue Rolle ein; wartende Bons werden danach von selbst gedruckt.</translation>
    </message>
    <message>
        <source>The printer cover is open. Close it; waiting receipts print by themselves afterwards.</source>
        <translation>Die Druckerklappe ist offen. Schließen Sie sie; wartende Bons werden danach von selbst gedruckt.</translation>
    </message>
    <message>
        <source>Not answering. Check it is switched on and its cable is plugged in.</source>
        <translation>Antwortet nicht. Prüfen Sie, ob es eingeschaltet und das Kabel eingesteckt ist.</translation>
    </message>
    <message>
        <source>Switched off. Switch it on.</source>
        <translation>Ausgeschaltet. Schalten Sie es ein.</translation>
    </message>
    <message>
        <source>Reports a fault. Switch it off and on again; if that does not help, call support.</source>
        <translation>Meldet eine Störung. Schalten Sie es aus und wieder ein; hilft das nicht, rufen Sie den Support an.</translation>
    </message>
    <message>
        <source>Not found. Check it is switched on and its cable is plugged in.</source>
        <translation>Nicht gefunden. Prüfen Sie, ob es eingeschaltet und das Kabel eingesteckt ist.</translation>
    </message>
    <message>
        <source>Did not answer in time. Check its cable and power; the till keeps working meanwhile.</source>
        <translation>Keine rechtzeitige Antwort. Prüfen Sie Kabel und Strom; die Kasse arbeitet so lange weiter.</translation>
    </message>
    <message>
        <source>In use by another program or till. Close the other one.</source>
        <translation>Von einem anderen Programm oder einer anderen Kasse belegt. Schließen Sie diese.</translation>
    </message>
    <message>
        <source>Busy with another job. Wait a moment and try again.</source>
        <translation>Mit einem anderen Auftrag beschäftigt. Warten Sie kurz und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Its driver cannot run on this computer; ask support.</source>
        <translation>Der Treiber läuft auf diesem Computer nicht; fragen Sie den Support.</translation>
    </message>
    <message>
        <source>Set up wrongly; ask the manager to check the hardware settings.</source>
        <translation>Falsch eingerichtet; bitten Sie den Filialleiter, die Geräteeinstellungen zu prüfen.</translation>
    </message>
    <message>
        <source>Reports a problem; see the log for details.</source>
        <translation>Meldet ein Problem; Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>DiscountDialog</name>
    <message>
        <source>Percent %</source>
        <translation>Prozent %</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Remove discount</source>
        <translation>Rabatt entfernen</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <source>Enter a number.</source>
        <translation>Geben Sie eine Zahl ein.</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <source>Print receipt</source>
        <translation>Bon drucken</translation>
    </message>
    <message>
        <source>No receipt</source>
        <translation>Kein Bon</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>Erneut drucken</translation>
    </message>
    <message>
        <source>Next sale</source>
        <translation>Nächster Verkauf</translation>
    </message>
    <message>
        <source>Give back to the customer</source>
        <translation>Erstattung an den Kunden</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Wechselgeld</translation>
    </message>
    <message>
        <source>Paid in full</source>
        <translation>Vollständig bezahlt</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Bon %1</translation>
    </message>
    <message>
        <source>The receipt is printing.</source>
        <translation>Der Bon wird gedruckt.</translation>
    </message>
</context>
<context>
    <name>ExtrasPage</name>
    <message>
        <source>Products and sync</source>
        <translation>Artikel und Abgleich</translation>
    </message>
    <message>
        <source>Optional. A product file (CSV: product, sku, price, tax, barcodes...) fills the catalog now; products can also be added in the back office. A webhook receives every sale, refund and stock change, signed with the secret.</source>
        <translation>Optional. Eine Artikeldatei (CSV: product, sku, price, tax, barcodes...) füllt den Katalog gleich jetzt; Artikel lassen sich auch im Backoffice anlegen. Ein Webhook erhält jeden Verkauf, jede Erstattung und jede Bestandsänderung, signiert mit dem Geheimnis.</translation>
    </message>
    <message>
        <source>products.csv</source>
        <translation>artikel.csv</translation>
    </message>
    <message>
        <source>Product file</source>
        <translation>Artikeldatei</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>Auswählen...</translation>
    </message>
    <message>
        <source>Send sales to a webhook</source>
        <translation>Verkäufe an einen Webhook senden</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Geheimnis</translation>
    </message>
    <message>
        <source>There is no file %1.</source>
        <translation>Die Datei %1 gibt es nicht.</translation>
    </message>
    <message>
        <source>The webhook address starts with https://.</source>
        <translation>Die Webhook-Adresse beginnt mit https://.</translation>
    </message>
    <message>
        <source>The webhook needs a secret.</source>
        <translation>Der Webhook braucht ein Geheimnis.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Set up the till</source>
        <translation>Kasse einrichten</translation>
    </message>
    <message>
        <source>Creating the store...</source>
        <translation>Filiale wird angelegt...</translation>
    </message>
    <message>
        <source>Done: %1.</source>
        <translation>Erledigt: %1.</translation>
    </message>
    <message>
        <source>Not set up (do it in the back office): %1</source>
        <translation>Nicht eingerichtet (bitte im Backoffice nachholen): %1</translation>
    </message>
    <message>
        <source>Press Finish to open the till.</source>
        <translation>Klicken Sie auf „Fertigstellen“, um die Kasse zu öffnen.</translation>
    </message>
    <message>
        <source>The store was not created: %1</source>
        <translation>Die Filiale wurde nicht angelegt: %1</translation>
    </message>
</context>
<context>
    <name>HardwarePage</name>
    <message>
        <source>Print a test page</source>
        <translation>Testseite drucken</translation>
    </message>
    <message>
        <source>Open the drawer</source>
        <translation>Kassenlade öffnen</translation>
    </message>
    <message>
        <source>Test the scanner</source>
        <translation>Scanner testen</translation>
    </message>
    <message>
        <source>Test the display</source>
        <translation>Display testen</translation>
    </message>
    <message>
        <source>Read the scale</source>
        <translation>Waage ablesen</translation>
    </message>
    <message>
        <source>Test a card payment</source>
        <translation>Kartenzahlung testen</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Detect devices</source>
        <translation>Geräte suchen</translation>
    </message>
    <message>
        <source>Add device</source>
        <translation>Gerät hinzufügen</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>Treiber</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Ändern</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Try a device</source>
        <translation>Gerät ausprobieren</translation>
    </message>
    <message>
        <source>Changed devices are used from the next start of the till.</source>
        <translation>Geänderte Geräte gelten ab dem nächsten Start der Kasse.</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>läuft nicht</translation>
    </message>
    <message>
        <source>%1 removed.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <source>Looking for USB and serial devices...</source>
        <translation>Suche nach USB- und seriellen Geräten...</translation>
    </message>
    <message>
        <source>note: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message>
        <source>No USB or serial devices found.</source>
        <translation>Keine USB- oder seriellen Geräte gefunden.</translation>
    </message>
    <message>
        <source>probably a %1 (%2 driver)</source>
        <translation>vermutlich: %1 (Treiber %2)</translation>
    </message>
    <message>
        <source>not recognised</source>
        <translation>nicht erkannt</translation>
    </message>
    <message>
        <source>No %1 is set up: add one first.</source>
        <translation>%1: nicht eingerichtet. Fügen Sie zuerst ein Gerät hinzu.</translation>
    </message>
    <message>
        <source>Testing the %1 at %2...</source>
        <translation>%1 an %2 wird getestet...</translation>
    </message>
    <message>
        <source>OK.</source>
        <translation>OK.</translation>
    </message>
    <message>
        <source>Not OK.</source>
        <translation>Nicht OK.</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Plug in the receipt printer, scanner, display and scale, then detect them. A network printer: type its address, e.g. tcp://192.168.1.50:9100. Test a device before you add it. You can skip this and add devices later in the back office.</source>
        <translation>Schließen Sie Bondrucker, Scanner, Display und Waage an und lassen Sie sie suchen. Einen Netzwerkdrucker geben Sie mit Adresse ein, z. B. tcp://192.168.1.50:9100. Testen Sie ein Gerät, bevor Sie es hinzufügen. Sie können diesen Schritt überspringen und Geräte später im Backoffice hinzufügen.</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Testen</translation>
    </message>
    <message>
        <source>Add to this till</source>
        <translation>Zu dieser Kasse hinzufügen</translation>
    </message>
    <message>
        <source>This till&apos;s devices:</source>
        <translation>Geräte dieser Kasse:</translation>
    </message>
    <message>
        <source>Testing %1 at %2...</source>
        <translation>%1 an %2 wird getestet...</translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <source>The file was not imported</source>
        <translation>Die Datei wurde nicht importiert</translation>
    </message>
    <message>
        <source>Nothing was changed. Fix these rows and import the file again:</source>
        <translation>Es wurde nichts geändert. Korrigieren Sie diese Zeilen und importieren Sie die Datei erneut:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>ItemEntry</name>
    <message>
        <source>Scan or type SKU / barcode</source>
        <translation>Art.-Nr. / Barcode scannen oder eingeben</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Empty: the item&apos;s current cost</source>
        <translation>Leer: aktueller Einkaufspreis des Artikels</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <source>Delete the last digit</source>
        <translation>Letzte Ziffer löschen</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Till %1 is locked. Tap your name and enter your PIN.</source>
        <translation>Kasse %1 ist gesperrt. Tippen Sie auf Ihren Namen und geben Sie Ihre PIN ein.</translation>
    </message>
    <message>
        <source>Who are you?</source>
        <translation>Wer sind Sie?</translation>
    </message>
    <message>
        <source>or type your user name</source>
        <translation>oder Benutzernamen eingeben</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <source>PIN for %1</source>
        <translation>PIN für %1</translation>
    </message>
    <message>
        <source>Tap your name first.</source>
        <translation>Tippen Sie zuerst auf Ihren Namen.</translation>
    </message>
    <message>
        <source>Enter your PIN.</source>
        <translation>Geben Sie Ihre PIN ein.</translation>
    </message>
    <message>
        <source>Checking...</source>
        <translation>Wird geprüft...</translation>
    </message>
</context>
<context>
    <name>MatrixDialog</name>
    <message>
        <source>Sizes × colours for %1</source>
        <translation>Größen × Farben für %1</translation>
    </message>
    <message>
        <source>Sizes</source>
        <translation>Größen</translation>
    </message>
    <message>
        <source>Colours</source>
        <translation>Farben</translation>
    </message>
    <message>
        <source>SKU base</source>
        <translation>Art.-Nr.-Stamm</translation>
    </message>
    <message>
        <source>Price of the new variants</source>
        <translation>Preis der neuen Varianten</translation>
    </message>
    <message>
        <source>SKU rule</source>
        <translation>Art.-Nr.-Regel</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Add variants</source>
        <translation>Varianten hinzufügen</translation>
    </message>
    <message>
        <source>exists already</source>
        <translation>gibt es schon</translation>
    </message>
    <message>
        <source>will be added</source>
        <translation>wird hinzugefügt</translation>
    </message>
    <message>
        <source>%1 new variants; %2 exist already.</source>
        <translation>%1 neue Varianten; %2 gibt es schon.</translation>
    </message>
    <message>
        <source>%1 variants added.</source>
        <translation>%1 Varianten hinzugefügt.</translation>
    </message>
</context>
<context>
    <name>MoneyEdit</name>
    <message>
        <source>Enter an amount.</source>
        <translation>Geben Sie einen Betrag ein.</translation>
    </message>
</context>
<context>
    <name>MoneyPage</name>
    <message>
        <source>Currency and taxes</source>
        <translation>Währung und Steuern</translation>
    </message>
    <message>
        <source>Prices with tax included (VAT, GST) or tax added at the till (US sales tax)? Add a line for each tax rate your products use; the code goes into the product file.</source>
        <translation>Preise inklusive Steuer (MwSt.) oder Steuer erst an der Kasse aufgeschlagen (US-Sales-Tax)? Legen Sie für jeden Steuersatz Ihrer Artikel eine Zeile an; der Code kommt in die Artikeldatei.</translation>
    </message>
    <message>
        <source>Prices include tax</source>
        <translation>Preise inklusive Steuer</translation>
    </message>
    <message>
        <source>Tax is added at the till</source>
        <translation>Steuer wird an der Kasse aufgeschlagen</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>Prices</source>
        <translation>Preise</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Rate %</source>
        <translation>Satz %</translation>
    </message>
    <message>
        <source>Standard</source>
        <translation>Normalsatz</translation>
    </message>
    <message>
        <source>Add a rate</source>
        <translation>Satz hinzufügen</translation>
    </message>
    <message>
        <source>Remove the rate</source>
        <translation>Satz entfernen</translation>
    </message>
    <message>
        <source>%1 is not a currency code (EUR, USD, ...).</source>
        <translation>%1 ist kein Währungscode (EUR, USD, ...).</translation>
    </message>
    <message>
        <source>Add at least one tax rate (it may be 0).</source>
        <translation>Legen Sie mindestens einen Steuersatz an (er darf 0 sein).</translation>
    </message>
    <message>
        <source>Every rate needs its own code, e.g. STD.</source>
        <translation>Jeder Satz braucht einen eigenen Code, z. B. STD.</translation>
    </message>
    <message>
        <source>A rate is a percentage between 0 and 100, e.g. 19 or 7.5.</source>
        <translation>Ein Satz ist ein Prozentwert zwischen 0 und 100, z. B. 19 oder 7,5.</translation>
    </message>
</context>
<context>
    <name>NumberDialog</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Enter a number.</source>
        <translation>Geben Sie eine Zahl ein.</translation>
    </message>
</context>
<context>
    <name>OrderEditor</name>
    <message>
        <source>All orders</source>
        <translation>Alle Bestellungen</translation>
    </message>
    <message>
        <source>Close order</source>
        <translation>Bestellung abschließen</translation>
    </message>
    <message>
        <source>Save draft</source>
        <translation>Entwurf speichern</translation>
    </message>
    <message>
        <source>Place order</source>
        <translation>Bestellen</translation>
    </message>
    <message>
        <source>Receive delivery</source>
        <translation>Lieferung annehmen</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>Lieferant</translation>
    </message>
    <message>
        <source>Deliver to</source>
        <translation>Liefern an</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Notiz (optional)</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Add line</source>
        <translation>Position hinzufügen</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Bestellt</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Summe</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <source>Outstanding</source>
        <translation>Offen</translation>
    </message>
    <message>
        <source>On hand now</source>
        <translation>Bestand jetzt</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Position entfernen</translation>
    </message>
    <message>
        <source>New purchase order</source>
        <translation>Neue Bestellung</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Cancel order</source>
        <translation>Bestellung stornieren</translation>
    </message>
    <message>
        <source>Add the lines, then save the draft or place the order.</source>
        <translation>Fügen Sie die Positionen hinzu und speichern Sie dann den Entwurf oder bestellen Sie.</translation>
    </message>
    <message>
        <source>Draft: the lines can still change.</source>
        <translation>Entwurf: Die Positionen können sich noch ändern.</translation>
    </message>
    <message>
        <source>Ordered %1 for %2. Receive each delivery as it comes.</source>
        <translation>Bestellt am %1 für %2. Nehmen Sie jede Lieferung an, sobald sie kommt.</translation>
    </message>
    <message>
        <source>Finished: %1.</source>
        <translation>Erledigt: %1.</translation>
    </message>
    <message>
        <source>Total %1</source>
        <translation>Summe %1</translation>
    </message>
    <message>
        <source>%1 saved as a draft.</source>
        <translation>%1 als Entwurf gespeichert.</translation>
    </message>
    <message>
        <source>%1 placed with %2.</source>
        <translation>%1 bei %2 bestellt.</translation>
    </message>
    <message>
        <source>Receive %1</source>
        <translation>%1 annehmen</translation>
    </message>
    <message>
        <source>Enter what arrived of each line; leave 0 for what did not come. The rest stays outstanding.</source>
        <translation>Geben Sie je Position ein, was angekommen ist; lassen Sie 0 für das, was nicht kam. Der Rest bleibt offen.</translation>
    </message>
    <message>
        <source>%1 · %2 (%3 outstanding)</source>
        <translation>%1 · %2 (%3 offen)</translation>
    </message>
    <message>
        <source>Enter at least one quantity received.</source>
        <translation>Geben Sie mindestens eine gelieferte Menge ein.</translation>
    </message>
    <message>
        <source>Received %1 units into %2. %3 is now %4.</source>
        <translation>%1 Stück in %2 eingebucht. %3 ist jetzt: %4.</translation>
    </message>
    <message>
        <source>Book into stock</source>
        <translation>Einbuchen</translation>
    </message>
    <message>
        <source>%1 is %2.</source>
        <translation>%1 ist jetzt: %2.</translation>
    </message>
    <message>
        <source>No more deliveries for %1?</source>
        <translation>Keine weiteren Lieferungen für %1?</translation>
    </message>
    <message>
        <source>%1 units are still outstanding; they will not be received.</source>
        <translation>%1 Stück sind noch offen; sie werden nicht mehr angenommen.</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Manager approval needed</source>
        <translation>Freigabe durch Filialleiter nötig</translation>
    </message>
    <message>
        <source>Manager&apos;s user name</source>
        <translation>Benutzername Filialleiter</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Enter the manager&apos;s user name and PIN.</source>
        <translation>Geben Sie Benutzernamen und PIN des Filialleiters ein.</translation>
    </message>
</context>
<context>
    <name>Page</name>
    <message>
        <source>Load more</source>
        <translation>Mehr laden</translation>
    </message>
</context>
<context>
    <name>ParkedDialog</name>
    <message>
        <source>Parked sales</source>
        <translation>Geparkte Verkäufe</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>No parked sales on this till.</source>
        <translation>Keine geparkten Verkäufe an dieser Kasse.</translation>
    </message>
</context>
<context>
    <name>PayScreen</name>
    <message>
        <source>To pay</source>
        <translation>Zu zahlen</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <source>Back to sale</source>
        <translation>Zurück zum Verkauf</translation>
    </message>
    <message>
        <source>Void sale</source>
        <translation>Verkauf stornieren</translation>
    </message>
    <message>
        <source>Amount (empty: the rest)</source>
        <translation>Betrag (leer: Restbetrag)</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Bar</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>Store credit</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Punkte</translation>
    </message>
    <message>
        <source>Sale total %1 · paid %2</source>
        <translation>Summe %1 · bezahlt %2</translation>
    </message>
    <message>
        <source>%1: %2 points, store credit %3</source>
        <translation>%1: %2 Punkte, Guthaben %3</translation>
    </message>
    <message>
        <source>Exact %1</source>
        <translation>Passend %1</translation>
    </message>
    <message>
        <source>Redeem points</source>
        <translation>Punkte einlösen</translation>
    </message>
    <message>
        <source>%1 has %2 points</source>
        <translation>%1 hat %2 Punkte</translation>
    </message>
    <message>
        <source>Enter a whole number of points.</source>
        <translation>Geben Sie eine ganze Zahl von Punkten ein.</translation>
    </message>
</context>
<context>
    <name>PriceCheckDialog</name>
    <message>
        <source>Price check</source>
        <translation>Preisabfrage</translation>
    </message>
    <message>
        <source>Scan or type a barcode or SKU</source>
        <translation>Barcode oder Art.-Nr. scannen oder eingeben</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>%1 in stock</source>
        <translation>%1 auf Lager</translation>
    </message>
</context>
<context>
    <name>PriceDialog</name>
    <message>
        <source>Change price</source>
        <translation>Preis ändern</translation>
    </message>
    <message>
        <source>Now %1</source>
        <translation>Aktuell %1</translation>
    </message>
    <message>
        <source>Set price</source>
        <translation>Preis setzen</translation>
    </message>
</context>
<context>
    <name>ProductEditor</name>
    <message>
        <source>All products</source>
        <translation>Alle Artikel</translation>
    </message>
    <message>
        <source>Sold by weight</source>
        <translation>Nach Gewicht</translation>
    </message>
    <message>
        <source>For sale</source>
        <translation>Im Verkauf</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Warengruppe</translation>
    </message>
    <message>
        <source>Tax</source>
        <translation>Steuer</translation>
    </message>
    <message>
        <source>Save product</source>
        <translation>Artikel speichern</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Varianten</translation>
    </message>
    <message>
        <source>Add sizes × colours</source>
        <translation>Größen × Farben hinzufügen</translation>
    </message>
    <message>
        <source>Edit variant</source>
        <translation>Variante bearbeiten</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Reorder at</source>
        <translation>Meldebestand</translation>
    </message>
    <message>
        <source>Barcodes</source>
        <translation>Barcodes</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Enter numbers for price, cost and reorder point.</source>
        <translation>Geben Sie Zahlen für Preis, Einkaufspreis und Meldebestand ein.</translation>
    </message>
    <message>
        <source>%1 saved; the till uses the new price at the next scan.</source>
        <translation>%1 gespeichert; die Kasse nimmt den neuen Preis beim nächsten Scan.</translation>
    </message>
</context>
<context>
    <name>ProductsPage</name>
    <message>
        <source>Products</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Import CSV</source>
        <translation>CSV importieren</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Warengruppen</translation>
    </message>
    <message>
        <source>New product</source>
        <translation>Neuer Artikel</translation>
    </message>
    <message>
        <source>Name, SKU or barcode</source>
        <translation>Name, Art.-Nr. oder Barcode</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Warengruppe</translation>
    </message>
    <message>
        <source>Tax</source>
        <translation>Steuer</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Varianten</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>Alle Warengruppen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Barcode</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <source>Sold by weight (price per kg)</source>
        <translation>Nach Gewicht (Preis pro kg)</translation>
    </message>
    <message>
        <source>Product created.</source>
        <translation>Artikel angelegt.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>Import products</source>
        <translation>Artikel importieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Importing %1 ...</source>
        <translation>%1 wird importiert ...</translation>
    </message>
    <message>
        <source>Imported %1 products with %2 variants.</source>
        <translation>%1 Artikel mit %2 Varianten importiert.</translation>
    </message>
    <message>
        <source>Export products</source>
        <translation>Artikel exportieren</translation>
    </message>
    <message>
        <source>Exported %1 rows to %2.</source>
        <translation>%1 Zeilen nach %2 exportiert.</translation>
    </message>
</context>
<context>
    <name>PurchasingPage</name>
    <message>
        <source>Purchasing</source>
        <translation>Einkauf</translation>
    </message>
    <message>
        <source>Purchase orders</source>
        <translation>Bestellungen</translation>
    </message>
    <message>
        <source>Reorder suggestions</source>
        <translation>Bestellvorschläge</translation>
    </message>
    <message>
        <source>Suppliers</source>
        <translation>Lieferanten</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>All orders</source>
        <translation>Alle Bestellungen</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>Neue Bestellung</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Supplier</source>
        <translation>Lieferant</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Bestellt</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Summe</translation>
    </message>
    <message>
        <source>The lead time is how many days an order takes to arrive; reorder suggestions plan for it.</source>
        <translation>Die Lieferzeit (Tage bis zur Lieferung) fließt in die Bestellvorschläge ein.</translation>
    </message>
    <message>
        <source>Edit supplier</source>
        <translation>Lieferant bearbeiten</translation>
    </message>
    <message>
        <source>New supplier</source>
        <translation>Neuer Lieferant</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <source>Lead time</source>
        <translation>Lieferzeit</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 Tage</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Sales of the last %1 days</source>
        <translation>Verkäufe der letzten %1 Tage</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>On hand</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>On order</source>
        <translation>Bestellt</translation>
    </message>
    <message>
        <source>Reorder at</source>
        <translation>Meldebestand</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <source>Sales in lead time</source>
        <translation>Verkauf in Lieferzeit</translation>
    </message>
    <message>
        <source>Order</source>
        <comment>quantity to order</comment>
        <translation>Bestellmenge</translation>
    </message>
    <message>
        <source>Create purchase order from these</source>
        <translation>Bestellung daraus anlegen</translation>
    </message>
    <message>
        <source>Any supplier (7-day lead time)</source>
        <translation>Beliebiger Lieferant (7 Tage Lieferzeit)</translation>
    </message>
    <message>
        <source>%1 (%2-day lead time)</source>
        <translation>%1 (%2 Tage Lieferzeit)</translation>
    </message>
    <message>
        <source>Choose a supplier in the list first.</source>
        <translation>Wählen Sie zuerst einen Lieferanten in der Liste.</translation>
    </message>
    <message>
        <source>e.g. ACME</source>
        <translation>z. B. ACME</translation>
    </message>
    <message>
        <source>Lead time (days)</source>
        <translation>Lieferzeit (Tage)</translation>
    </message>
    <message>
        <source>Active: new orders may go to this supplier</source>
        <translation>Aktiv: Neue Bestellungen dürfen an diesen Lieferanten gehen</translation>
    </message>
    <message>
        <source>Enter the lead time as a whole number of days.</source>
        <translation>Geben Sie die Lieferzeit als ganze Zahl von Tagen ein.</translation>
    </message>
    <message>
        <source>Supplier %1 saved.</source>
        <translation>Lieferant %1 gespeichert.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Add a supplier first.</source>
        <translation>Legen Sie zuerst einen Lieferanten an.</translation>
    </message>
    <message>
        <source>%1 items to order: enough for the reorder point and the sales expected during the lead time, less what is on hand and on order. Select some, or order them all.</source>
        <translation>%1 Artikel zu bestellen: genug für den Meldebestand und die in der Lieferzeit erwarteten Verkäufe, abzüglich Bestand und bereits Bestelltem. Wählen Sie einige aus oder bestellen Sie alle.</translation>
    </message>
    <message>
        <source>Nothing to order at this location.</source>
        <translation>An diesem Lagerort ist nichts zu bestellen.</translation>
    </message>
    <message>
        <source>Choose the supplier to order from (above the list).</source>
        <translation>Wählen Sie den Lieferanten, bei dem bestellt wird (über der Liste).</translation>
    </message>
    <message>
        <source>Nothing to order.</source>
        <translation>Nichts zu bestellen.</translation>
    </message>
    <message>
        <source>from reorder suggestions</source>
        <translation>aus Bestellvorschlägen</translation>
    </message>
    <message>
        <source>%1 drafted with %2 lines: check it and place the order.</source>
        <translation>%1 als Entwurf mit %2 Positionen angelegt: Prüfen Sie ihn und bestellen Sie.</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>Partly received</source>
        <translation>Teilweise geliefert</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Geliefert</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>AI {ai} price is in {currency}, the store sells in {store_currency}</source>
        <translation>Der Preis in AI {ai} ist in {currency}, das Geschäft verkauft in {store_currency}.</translation>
    </message>
    <message>
        <source>AI {ai}: unsupported currency number {numeric}</source>
        <translation>AI {ai}: Währungsnummer {numeric} wird nicht unterstützt.</translation>
    </message>
    <message>
        <source>GS1 code {raw!r} carries no GTIN (AI 01)</source>
        <translation>Der GS1-Code {raw!r} enthält keine GTIN (AI 01).</translation>
    </message>
    <message>
        <source>SKU already exists: {skus}</source>
        <translation>Diese Art.-Nr. gibt es schon: {skus}</translation>
    </message>
    <message>
        <source>[format] date is a strftime pattern such as %d.%m.%Y</source>
        <translation>[format] date ist ein strftime-Muster wie %d.%m.%Y</translation>
    </message>
    <message>
        <source>[format] decimal is &quot;.&quot; or &quot;,&quot;</source>
        <translation>[format] decimal ist &quot;.&quot; oder &quot;,&quot;</translation>
    </message>
    <message>
        <source>[labels] takes text values, e.g. total = &quot;TOTAL&quot;</source>
        <translation>[labels] nimmt Texte auf, z. B. total = &quot;SUMME&quot;</translation>
    </message>
    <message>
        <source>a PIN is 4 to 8 digits</source>
        <translation>Eine PIN hat 4 bis 8 Ziffern.</translation>
    </message>
    <message>
        <source>a barcode is at most 64 characters</source>
        <translation>Ein Barcode hat höchstens 64 Zeichen.</translation>
    </message>
    <message>
        <source>a category cannot be placed inside itself</source>
        <translation>Eine Warengruppe kann nicht in sich selbst liegen.</translation>
    </message>
    <message>
        <source>a category name is 1 to 200 characters</source>
        <translation>Der Name einer Warengruppe hat 1 bis 200 Zeichen.</translation>
    </message>
    <message>
        <source>a check digit needs a body of digits, got {body!r}</source>
        <translation>Für eine Prüfziffer sind nur Ziffern möglich, erhalten: {body!r}</translation>
    </message>
    <message>
        <source>a cost cannot be negative</source>
        <translation>Ein Einkaufspreis kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>a count cannot be negative</source>
        <translation>Eine Zählung kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>a customer name is 1 to 200 characters</source>
        <translation>Ein Kundenname hat 1 bis 200 Zeichen.</translation>
    </message>
    <message>
        <source>a customer needs a code and a name</source>
        <translation>Ein Kunde braucht eine Nummer und einen Namen.</translation>
    </message>
    <message>
        <source>a discount amount cannot be negative</source>
        <translation>Ein Rabattbetrag kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>a discount cannot apply to a negative line</source>
        <translation>Auf eine negative Position kann kein Rabatt gegeben werden.</translation>
    </message>
    <message>
        <source>a discount is either a percent or an amount</source>
        <translation>Ein Rabatt ist entweder ein Prozentsatz oder ein Betrag.</translation>
    </message>
    <message>
        <source>a lead time is 0 to 365 days</source>
        <translation>Eine Lieferzeit beträgt 0 bis 365 Tage.</translation>
    </message>
    <message>
        <source>a location needs a code (1-32) and a name (1-200 characters)</source>
        <translation>Ein Lagerort braucht einen Code (1-32) und einen Namen (1-200 Zeichen).</translation>
    </message>
    <message>
        <source>a note is at most 150 characters</source>
        <translation>Eine Notiz hat höchstens 150 Zeichen.</translation>
    </message>
    <message>
        <source>a page holds 1 to {most} rows</source>
        <translation>Eine Seite enthält 1 bis {most} Zeilen.</translation>
    </message>
    <message>
        <source>a percent discount must be between 0 and 100</source>
        <translation>Ein Prozentrabatt muss zwischen 0 und 100 liegen.</translation>
    </message>
    <message>
        <source>a price cannot be negative</source>
        <translation>Ein Preis kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>a product name is 1 to 300 characters</source>
        <translation>Ein Artikelname hat 1 bis 300 Zeichen.</translation>
    </message>
    <message>
        <source>a product needs a name</source>
        <translation>Ein Artikel braucht einen Namen.</translation>
    </message>
    <message>
        <source>a product needs at least one variant</source>
        <translation>Ein Artikel braucht mindestens eine Variante.</translation>
    </message>
    <message>
        <source>a reorder point cannot be negative</source>
        <translation>Ein Meldebestand kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>a report covers at most {most} days</source>
        <translation>Ein Bericht umfasst höchstens {most} Tage.</translation>
    </message>
    <message>
        <source>a sale with payments cannot be parked; complete or void it</source>
        <translation>Ein Verkauf mit Zahlungen kann nicht geparkt werden; schließen Sie ihn ab oder stornieren Sie ihn.</translation>
    </message>
    <message>
        <source>a secret cannot be unset; set a new value instead</source>
        <translation>Ein Geheimnis lässt sich nicht löschen; setzen Sie stattdessen einen neuen Wert.</translation>
    </message>
    <message>
        <source>a store code is 1-16 letters or digits</source>
        <translation>Ein Filialcode hat 1-16 Buchstaben oder Ziffern.</translation>
    </message>
    <message>
        <source>a supplier code is 1 to 32 characters</source>
        <translation>Eine Lieferantennummer hat 1 bis 32 Zeichen.</translation>
    </message>
    <message>
        <source>a supplier name is 1 to 200 characters</source>
        <translation>Ein Lieferantenname hat 1 bis 200 Zeichen.</translation>
    </message>
    <message>
        <source>a tax category code is 1 to 32 characters</source>
        <translation>Der Code einer Steuerkategorie hat 1 bis 32 Zeichen.</translation>
    </message>
    <message>
        <source>a tax rate is a fraction between 0 and 1 (0.19 for 19 %)</source>
        <translation>Ein Steuersatz ist ein Bruch zwischen 0 und 1 (0.19 für 19 %).</translation>
    </message>
    <message>
        <source>a tax rate is between 0 and 100 %: {text!r}</source>
        <translation>Ein Steuersatz liegt zwischen 0 und 100 %: {text!r}</translation>
    </message>
    <message>
        <source>a tax-exempt customer needs an exemption certificate number</source>
        <translation>Ein steuerbefreiter Kunde braucht die Nummer seiner Freistellungsbescheinigung.</translation>
    </message>
    <message>
        <source>a till code is 1-16 letters or digits</source>
        <translation>Ein Kassencode hat 1-16 Buchstaben oder Ziffern.</translation>
    </message>
    <message>
        <source>a transfer goes between two different locations</source>
        <translation>Eine Umlagerung geht zwischen zwei verschiedenen Lagerorten.</translation>
    </message>
    <message>
        <source>a transfer needs at least one line</source>
        <translation>Eine Umlagerung braucht mindestens eine Position.</translation>
    </message>
    <message>
        <source>a user name is 1-64 letters, digits, &apos;.&apos;, &apos;@&apos;, &apos;_&apos; or &apos;-&apos;</source>
        <translation>Ein Benutzername hat 1-64 Buchstaben, Ziffern, &apos;.&apos;, &apos;@&apos;, &apos;_&apos; oder &apos;-&apos;.</translation>
    </message>
    <message>
        <source>a weighed label already carries its quantity</source>
        <translation>Ein Wiegeetikett enthält seine Menge schon.</translation>
    </message>
    <message>
        <source>add at least one tax rate (it may be 0 %)</source>
        <translation>Legen Sie mindestens einen Steuersatz an (er darf 0 % sein).</translation>
    </message>
    <message>
        <source>amount must be more than zero</source>
        <translation>Der Betrag muss größer als null sein.</translation>
    </message>
    <message>
        <source>an adjustment needs a reason</source>
        <translation>Eine Korrektur braucht einen Grund.</translation>
    </message>
    <message>
        <source>an adjustment of zero changes nothing</source>
        <translation>Eine Korrektur um null ändert nichts.</translation>
    </message>
    <message>
        <source>an order needs at least one line</source>
        <translation>Eine Bestellung braucht mindestens eine Position.</translation>
    </message>
    <message>
        <source>attach a customer first</source>
        <translation>Wählen Sie zuerst einen Kunden.</translation>
    </message>
    <message>
        <source>bad SKU rule {rule!r}: use {{base}}, {{size}} and {{colour}}</source>
        <translation>Ungültige Art.-Nr.-Regel {rule!r}: Verwenden Sie {{base}}, {{size}} und {{colour}}.</translation>
    </message>
    <message>
        <source>bad count for {tender!r}</source>
        <translation>Ungültige Zählung für {tender!r}</translation>
    </message>
    <message>
        <source>barcode already exists: {barcodes}</source>
        <translation>Diesen Barcode gibt es schon: {barcodes}</translation>
    </message>
    <message>
        <source>barcode is empty</source>
        <translation>Der Barcode ist leer.</translation>
    </message>
    <message>
        <source>barcode {code!r} contains control characters</source>
        <translation>Der Barcode {code!r} enthält Steuerzeichen.</translation>
    </message>
    <message>
        <source>barcode {code} already belongs to {owner}</source>
        <translation>Der Barcode {code} gehört schon zu {owner}.</translation>
    </message>
    <message>
        <source>block {i}: align must be left, center or right</source>
        <translation>Block {i}: align muss left, center oder right sein.</translation>
    </message>
    <message>
        <source>block {i}: only= takes {choices}</source>
        <translation>Block {i}: only= erlaubt {choices}</translation>
    </message>
    <message>
        <source>block {i}: size must be normal, wide, tall or double</source>
        <translation>Block {i}: size muss normal, wide, tall oder double sein.</translation>
    </message>
    <message>
        <source>block {i}: unknown type {kind!r}; use one of {types}</source>
        <translation>Block {i}: unbekannter Typ {kind!r}; möglich sind {types}</translation>
    </message>
    <message>
        <source>block {i}: {kind} needs data</source>
        <translation>Block {i}: {kind} braucht data.</translation>
    </message>
    <message>
        <source>block {i}: {kind} needs text</source>
        <translation>Block {i}: {kind} braucht text.</translation>
    </message>
    <message>
        <source>cannot mix {currency} and {other}</source>
        <translation>{currency} und {other} lassen sich nicht mischen.</translation>
    </message>
    <message>
        <source>cannot read {path}: {reason}</source>
        <translation>{path} lässt sich nicht lesen: {reason}</translation>
    </message>
    <message>
        <source>card refund failed: {message}</source>
        <translation>Die Erstattung auf die Karte ist fehlgeschlagen: {message}</translation>
    </message>
    <message>
        <source>card {status}: {reason}</source>
        <translation>Karte {status}: {reason}</translation>
    </message>
    <message>
        <source>cash refund must be exactly {amount} minor units</source>
        <translation>Die Bar-Erstattung muss genau {amount} Untereinheiten betragen.</translation>
    </message>
    <message>
        <source>cash tendered must be more than zero</source>
        <translation>Der gegebene Barbetrag muss größer als null sein.</translation>
    </message>
    <message>
        <source>catalog file rejected: 1 error, nothing imported</source>
        <translation>Artikeldatei abgelehnt: 1 Fehler, nichts importiert.</translation>
    </message>
    <message>
        <source>catalog file rejected: {n} errors, nothing imported</source>
        <translation>Artikeldatei abgelehnt: {n} Fehler, nichts importiert.</translation>
    </message>
    <message>
        <source>category {name!r} already exists</source>
        <translation>Die Warengruppe {name!r} gibt es schon.</translation>
    </message>
    <message>
        <source>category {name!r} has sub-categories: move them first</source>
        <translation>Die Warengruppe {name!r} hat Untergruppen: Verschieben Sie diese zuerst.</translation>
    </message>
    <message>
        <source>category {name!r} still has {products} products: move them first</source>
        <translation>Die Warengruppe {name!r} enthält noch {products} Artikel: Verschieben Sie diese zuerst.</translation>
    </message>
    <message>
        <source>change a return line through the return, not the sale</source>
        <translation>Ändern Sie eine Rückgabeposition über die Rückgabe, nicht über den Verkauf.</translation>
    </message>
    <message>
        <source>choose at least one item to return</source>
        <translation>Wählen Sie mindestens einen Artikel für die Rückgabe.</translation>
    </message>
    <message>
        <source>close the cash drawer before starting the next sale</source>
        <translation>Schließen Sie die Kassenlade, bevor Sie den nächsten Verkauf beginnen.</translation>
    </message>
    <message>
        <source>colour {text!r}... is longer than 50 characters</source>
        <translation>Die Farbe {text!r}... ist länger als 50 Zeichen.</translation>
    </message>
    <message>
        <source>could not give the card payment back: {message}</source>
        <translation>Die Kartenzahlung ließ sich nicht zurückgeben: {message}</translation>
    </message>
    <message>
        <source>customer no longer exists</source>
        <translation>Den Kunden gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>customer {code!r} already exists</source>
        <translation>Den Kunden {code!r} gibt es schon.</translation>
    </message>
    <message>
        <source>days must be at least 1 and the lead time not negative</source>
        <translation>Die Tage müssen mindestens 1 sein und die Lieferzeit darf nicht negativ sein.</translation>
    </message>
    <message>
        <source>earlier call did not finish</source>
        <translation>Der vorige Vorgang wurde nicht abgeschlossen.</translation>
    </message>
    <message>
        <source>empty scan</source>
        <translation>Leerer Scan.</translation>
    </message>
    <message>
        <source>enter at least one counted item</source>
        <translation>Geben Sie mindestens einen gezählten Artikel ein.</translation>
    </message>
    <message>
        <source>every variant needs a SKU</source>
        <translation>Jede Variante braucht eine Art.-Nr.</translation>
    </message>
    <message>
        <source>finish or park the current sale before a return</source>
        <translation>Schließen Sie den aktuellen Verkauf ab oder parken Sie ihn vor einer Rückgabe.</translation>
    </message>
    <message>
        <source>finish or park the current sale first</source>
        <translation>Schließen Sie zuerst den aktuellen Verkauf ab oder parken Sie ihn.</translation>
    </message>
    <message>
        <source>found adds stock: give a positive quantity</source>
        <translation>found bucht ein: Geben Sie eine positive Menge an.</translation>
    </message>
    <message>
        <source>invalid value {value!r} for {key}</source>
        <translation>Ungültiger Wert {value!r} für {key}</translation>
    </message>
    <message>
        <source>kind is paid_in, paid_out or no_sale</source>
        <translation>Die Art ist paid_in, paid_out oder no_sale.</translation>
    </message>
    <message>
        <source>location {code} already exists</source>
        <translation>Den Lagerort {code} gibt es schon.</translation>
    </message>
    <message>
        <source>log in first</source>
        <translation>Melden Sie sich zuerst an.</translation>
    </message>
    <message>
        <source>look back 1 to 366 days</source>
        <translation>Der Rückblick umfasst 1 bis 366 Tage.</translation>
    </message>
    <message>
        <source>no card terminal is configured on this till</source>
        <translation>An dieser Kasse ist kein Kartenterminal eingerichtet.</translation>
    </message>
    <message>
        <source>no category {category_id}</source>
        <translation>Keine Warengruppe {category_id}</translation>
    </message>
    <message>
        <source>no closed shift {shift_id}</source>
        <translation>Keine abgeschlossene Schicht {shift_id}</translation>
    </message>
    <message>
        <source>no connector {name!r}</source>
        <translation>Keine Schnittstelle {name!r}</translation>
    </message>
    <message>
        <source>no customer {customer!r}</source>
        <translation>Kein Kunde {customer!r}</translation>
    </message>
    <message>
        <source>no customer {id_or_code!r}</source>
        <translation>Kein Kunde {id_or_code!r}</translation>
    </message>
    <message>
        <source>no dead or pending delivery of event {event_id}</source>
        <translation>Keine abgelehnte oder ausstehende Zustellung von Ereignis {event_id}</translation>
    </message>
    <message>
        <source>no device with role {role!r} in this till&apos;s profile</source>
        <translation>Im Profil dieser Kasse gibt es kein Gerät mit der Rolle {role!r}.</translation>
    </message>
    <message>
        <source>no item with SKU or barcode {code!r}</source>
        <translation>Kein Artikel mit Art.-Nr. oder Barcode {code!r}</translation>
    </message>
    <message>
        <source>no item with SKU or barcode {text!r}</source>
        <translation>Kein Artikel mit Art.-Nr. oder Barcode {text!r}</translation>
    </message>
    <message>
        <source>no item with SKU {sku!r}</source>
        <translation>Kein Artikel mit Art.-Nr. {sku!r}</translation>
    </message>
    <message>
        <source>no item with barcode or SKU {code!r}</source>
        <translation>Kein Artikel mit Barcode oder Art.-Nr. {code!r}</translation>
    </message>
    <message>
        <source>no line {key} in this sale</source>
        <translation>Keine Position {key} in diesem Verkauf</translation>
    </message>
    <message>
        <source>no location {id_or_code!r}</source>
        <translation>Kein Lagerort {id_or_code!r}</translation>
    </message>
    <message>
        <source>no open shift on till {till_code}</source>
        <translation>Keine offene Schicht an Kasse {till_code}</translation>
    </message>
    <message>
        <source>no open shift on till {till_code}: open one first</source>
        <translation>Keine offene Schicht an Kasse {till_code}: Öffnen Sie zuerst eine.</translation>
    </message>
    <message>
        <source>no parent category {parent_id}</source>
        <translation>Keine übergeordnete Warengruppe {parent_id}</translation>
    </message>
    <message>
        <source>no parked sale {park_id}</source>
        <translation>Kein geparkter Verkauf {park_id}</translation>
    </message>
    <message>
        <source>no print job {job_id}</source>
        <translation>Kein Druckauftrag {job_id}</translation>
    </message>
    <message>
        <source>no product {product_id}</source>
        <translation>Kein Artikel {product_id}</translation>
    </message>
    <message>
        <source>no purchase order {po!r}</source>
        <translation>Keine Bestellung {po!r}</translation>
    </message>
    <message>
        <source>no receipt template called {name!r}</source>
        <translation>Keine Bonvorlage namens {name!r}</translation>
    </message>
    <message>
        <source>no receipt {receipt_no}</source>
        <translation>Kein Bon {receipt_no}</translation>
    </message>
    <message>
        <source>no sale with receipt number {receipt_no!r}</source>
        <translation>Kein Verkauf mit der Bonnummer {receipt_no!r}</translation>
    </message>
    <message>
        <source>no stock count {count_id!r}</source>
        <translation>Keine Inventur {count_id!r}</translation>
    </message>
    <message>
        <source>no store in {base}: run `pos init` (or `pos demo-data`) first</source>
        <translation>Keine Filiale in {base}: Führen Sie zuerst `pos init` (oder `pos demo-data`) aus.</translation>
    </message>
    <message>
        <source>no supplier {id_or_code!r}</source>
        <translation>Kein Lieferant {id_or_code!r}</translation>
    </message>
    <message>
        <source>no tax category {tax_id}</source>
        <translation>Keine Steuerkategorie {tax_id}</translation>
    </message>
    <message>
        <source>no transfer {id_or_number!r}</source>
        <translation>Keine Umlagerung {id_or_number!r}</translation>
    </message>
    <message>
        <source>no user {user_id!r}</source>
        <translation>Kein Benutzer {user_id!r}</translation>
    </message>
    <message>
        <source>no variant {variant_id}</source>
        <translation>Keine Variante {variant_id}</translation>
    </message>
    <message>
        <source>not a date: {text!r} (use YYYY-MM-DD)</source>
        <translation>Kein Datum: {text!r} (Format JJJJ-MM-TT)</translation>
    </message>
    <message>
        <source>not a quantity: {text!r}</source>
        <translation>Keine Menge: {text!r}</translation>
    </message>
    <message>
        <source>not a tax rate: {rate!r}</source>
        <translation>Kein Steuersatz: {rate!r}</translation>
    </message>
    <message>
        <source>not a tax rate: {text!r}</source>
        <translation>Kein Steuersatz: {text!r}</translation>
    </message>
    <message>
        <source>not an amount: {text!r}</source>
        <translation>Kein Betrag: {text!r}</translation>
    </message>
    <message>
        <source>not an e-mail address: {email!r}</source>
        <translation>Keine E-Mail-Adresse: {email!r}</translation>
    </message>
    <message>
        <source>nothing to change</source>
        <translation>Nichts zu ändern.</translation>
    </message>
    <message>
        <source>nothing to park</source>
        <translation>Nichts zu parken.</translation>
    </message>
    <message>
        <source>nothing to receive</source>
        <translation>Nichts anzunehmen.</translation>
    </message>
    <message>
        <source>nothing to refund: the customer owes the shop</source>
        <translation>Nichts zu erstatten: Der Kunde schuldet dem Geschäft Geld.</translation>
    </message>
    <message>
        <source>nothing to sell: the sale has no lines</source>
        <translation>Nichts zu verkaufen: Der Verkauf hat keine Positionen.</translation>
    </message>
    <message>
        <source>one return at a time: this cart already returns another sale</source>
        <translation>Nur eine Rückgabe auf einmal: Dieser Warenkorb enthält schon die Rückgabe eines anderen Verkaufs.</translation>
    </message>
    <message>
        <source>only an admin can change an admin</source>
        <translation>Nur ein Administrator kann einen Administrator ändern.</translation>
    </message>
    <message>
        <source>only an admin can create an admin</source>
        <translation>Nur ein Administrator kann einen Administrator anlegen.</translation>
    </message>
    <message>
        <source>only an admin can make an admin</source>
        <translation>Nur ein Administrator kann jemanden zum Administrator machen.</translation>
    </message>
    <message>
        <source>only cash may exceed the amount due ({remaining} minor units left)</source>
        <translation>Nur Bargeld darf den offenen Betrag übersteigen (noch {remaining} Untereinheiten offen).</translation>
    </message>
    <message>
        <source>only weighed items can be returned in fractions</source>
        <translation>Nur gewogene Artikel können in Bruchteilen zurückgegeben werden.</translation>
    </message>
    <message>
        <source>only weighed items can have a fractional quantity</source>
        <translation>Nur gewogene Artikel können eine gebrochene Menge haben.</translation>
    </message>
    <message>
        <source>only {qty} of line {line_no} ({sku}) can still be returned</source>
        <translation>Von Position {line_no} ({sku}) können nur noch {qty} zurückgegeben werden.</translation>
    </message>
    <message>
        <source>original sale not found</source>
        <translation>Der ursprüngliche Verkauf wurde nicht gefunden.</translation>
    </message>
    <message>
        <source>price label {gtin!r} is in {label_currency}, the store sells in {store_currency}</source>
        <translation>Das Preisetikett {gtin!r} ist in {label_currency}, das Geschäft verkauft in {store_currency}.</translation>
    </message>
    <message>
        <source>print job {job_id} is not pending</source>
        <translation>Der Druckauftrag {job_id} wartet nicht.</translation>
    </message>
    <message>
        <source>put the item on the scale: the weight is zero</source>
        <translation>Legen Sie den Artikel auf die Waage: Das Gewicht ist null.</translation>
    </message>
    <message>
        <source>quantity is implausibly large</source>
        <translation>Die Menge ist unplausibel groß.</translation>
    </message>
    <message>
        <source>quantity must be more than zero</source>
        <translation>Die Menge muss größer als null sein.</translation>
    </message>
    <message>
        <source>quantity {q} has more than 3 decimals</source>
        <translation>Die Menge {q} hat mehr als 3 Nachkommastellen.</translation>
    </message>
    <message>
        <source>quantity {text!r} has more than 3 decimals</source>
        <translation>Die Menge {text!r} hat mehr als 3 Nachkommastellen.</translation>
    </message>
    <message>
        <source>rank by one of: {rankings}</source>
        <translation>Sortieren Sie nach einem von: {rankings}</translation>
    </message>
    <message>
        <source>receipt template has no [[block]] entries</source>
        <translation>Die Bonvorlage hat keine [[block]]-Einträge.</translation>
    </message>
    <message>
        <source>receipt template is not valid TOML: {exc}</source>
        <translation>Die Bonvorlage ist kein gültiges TOML: {exc}</translation>
    </message>
    <message>
        <source>receipt template {path} does not exist</source>
        <translation>Die Bonvorlage {path} gibt es nicht.</translation>
    </message>
    <message>
        <source>receipt {receipt_no} has no sold line {line_no}</source>
        <translation>Bon {receipt_no} hat keine verkaufte Position {line_no}.</translation>
    </message>
    <message>
        <source>refund to &apos;original&apos; or &apos;store_credit&apos;</source>
        <translation>Erstattung auf &apos;original&apos; oder &apos;store_credit&apos;</translation>
    </message>
    <message>
        <source>return a positive quantity</source>
        <translation>Geben Sie eine positive Menge zurück.</translation>
    </message>
    <message>
        <source>return lines cannot be discounted</source>
        <translation>Auf Rückgabepositionen gibt es keinen Rabatt.</translation>
    </message>
    <message>
        <source>return lines keep the price that was paid</source>
        <translation>Rückgabepositionen behalten den bezahlten Preis.</translation>
    </message>
    <message>
        <source>role {role!r}: use one of {roles} (a number may follow, e.g. scanner2)</source>
        <translation>Rolle {role!r}: Möglich sind {roles} (eine Zahl darf folgen, z. B. scanner2).</translation>
    </message>
    <message>
        <source>sale is not fully paid: {minor} minor units still due</source>
        <translation>Der Verkauf ist nicht vollständig bezahlt: noch {minor} Untereinheiten offen.</translation>
    </message>
    <message>
        <source>say what the money was for</source>
        <translation>Geben Sie an, wofür das Geld war.</translation>
    </message>
    <message>
        <source>show 1 to 100 items per category</source>
        <translation>Zeigen Sie 1 bis 100 Artikel pro Warengruppe.</translation>
    </message>
    <message>
        <source>show 1 to 1000 rows</source>
        <translation>Zeigen Sie 1 bis 1000 Zeilen.</translation>
    </message>
    <message>
        <source>show 1 to 10000 rows</source>
        <translation>Zeigen Sie 1 bis 10000 Zeilen.</translation>
    </message>
    <message>
        <source>size {text!r}... is longer than 50 characters</source>
        <translation>Die Größe {text!r}... ist länger als 50 Zeichen.</translation>
    </message>
    <message>
        <source>stock count {number} has no counted items</source>
        <translation>Die Inventur {number} hat keine gezählten Artikel.</translation>
    </message>
    <message>
        <source>stock count {number} is {status}</source>
        <translation>Die Inventur {number} hat den Status {status}.</translation>
    </message>
    <message>
        <source>store credit and points need a customer</source>
        <translation>Guthaben und Punkte brauchen einen Kunden.</translation>
    </message>
    <message>
        <source>store credit needs a customer: attach one first</source>
        <translation>Guthaben braucht einen Kunden: Wählen Sie zuerst einen.</translation>
    </message>
    <message>
        <source>supplier {code} already exists</source>
        <translation>Den Lieferanten {code} gibt es schon.</translation>
    </message>
    <message>
        <source>supplier {code} is inactive</source>
        <translation>Der Lieferant {code} ist inaktiv.</translation>
    </message>
    <message>
        <source>tax category codes must be unique</source>
        <translation>Die Codes der Steuerkategorien müssen eindeutig sein.</translation>
    </message>
    <message>
        <source>tax category {code!r} already exists</source>
        <translation>Die Steuerkategorie {code!r} gibt es schon.</translation>
    </message>
    <message>
        <source>tax mode is &apos;inclusive&apos; or &apos;exclusive&apos;</source>
        <translation>Der Steuermodus ist &apos;inclusive&apos; oder &apos;exclusive&apos;.</translation>
    </message>
    <message>
        <source>tax rate {rate!r} has more than 6 decimals</source>
        <translation>Der Steuersatz {rate!r} hat mehr als 6 Nachkommastellen.</translation>
    </message>
    <message>
        <source>the SKU rule gives two cells the same SKU: add {size} and {colour} to it</source>
        <translation>Die Art.-Nr.-Regel gibt zwei Feldern dieselbe Art.-Nr.: Ergänzen Sie {size} und {colour}.</translation>
    </message>
    <message>
        <source>the SKU rule gives {sku!r}: a SKU is 1 to 64 characters</source>
        <translation>Die Art.-Nr.-Regel ergibt {sku!r}: Eine Art.-Nr. hat 1 bis 64 Zeichen.</translation>
    </message>
    <message>
        <source>the card terminal did not answer and the payment could not be checked; do not charge again — it will be checked when the terminal is back</source>
        <translation>Das Kartenterminal hat nicht geantwortet und die Zahlung ließ sich nicht prüfen; nicht noch einmal abbuchen — sie wird geprüft, sobald das Terminal wieder da ist.</translation>
    </message>
    <message>
        <source>the customer cannot change once payments are taken</source>
        <translation>Der Kunde lässt sich nicht mehr ändern, sobald Zahlungen erfasst sind.</translation>
    </message>
    <message>
        <source>the discount is larger than the amount it applies to</source>
        <translation>Der Rabatt ist größer als der Betrag, auf den er sich bezieht.</translation>
    </message>
    <message>
        <source>the float cannot be negative</source>
        <translation>Der Wechselgeldbestand kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>the order is already {status}</source>
        <translation>Die Bestellung hat schon den Status {status}.</translation>
    </message>
    <message>
        <source>the original card payment has no provider reference</source>
        <translation>Die ursprüngliche Kartenzahlung hat keine Referenz des Zahlungsanbieters.</translation>
    </message>
    <message>
        <source>the original sale was in another currency</source>
        <translation>Der ursprüngliche Verkauf war in einer anderen Währung.</translation>
    </message>
    <message>
        <source>the points label may only use the fields earned and redeemed</source>
        <translation>Die Beschriftung points darf nur die Felder earned und redeemed verwenden</translation>
    </message>
    <message>
        <source>the product file {catalog_csv} does not exist</source>
        <translation>Die Artikeldatei {catalog_csv} gibt es nicht.</translation>
    </message>
    <message>
        <source>the range ends ({end}) before it starts ({start})</source>
        <translation>Der Zeitraum endet ({end}), bevor er beginnt ({start}).</translation>
    </message>
    <message>
        <source>the store needs a name</source>
        <translation>Die Filiale braucht einen Namen.</translation>
    </message>
    <message>
        <source>this cursor does not belong to a list</source>
        <translation>Diese Seitenmarke gehört zu keiner Liste.</translation>
    </message>
    <message>
        <source>this cursor does not belong to a search</source>
        <translation>Diese Seitenmarke gehört zu keiner Suche.</translation>
    </message>
    <message>
        <source>this cursor does not belong to the order list</source>
        <translation>Diese Seitenmarke gehört nicht zur Bestellliste.</translation>
    </message>
    <message>
        <source>this cursor does not belong to the transfer list</source>
        <translation>Diese Seitenmarke gehört nicht zur Umlagerungsliste.</translation>
    </message>
    <message>
        <source>this manager override is not valid for this action</source>
        <translation>Diese Freigabe des Filialleiters gilt nicht für diesen Vorgang.</translation>
    </message>
    <message>
        <source>till {till_code} already has an open shift</source>
        <translation>Kasse {till_code} hat schon eine offene Schicht.</translation>
    </message>
    <message>
        <source>transfer a positive quantity</source>
        <translation>Lagern Sie eine positive Menge um.</translation>
    </message>
    <message>
        <source>unknown RCN region {name!r}; valid regions: {regions}</source>
        <translation>Unbekannte RCN-Region {name!r}; gültige Regionen: {regions}</translation>
    </message>
    <message>
        <source>unknown currency code {code!r}</source>
        <translation>Unbekannter Währungscode {code!r}</translation>
    </message>
    <message>
        <source>unknown field in {text!r}: {exc}</source>
        <translation>Unbekanntes Feld in {text!r}: {exc}</translation>
    </message>
    <message>
        <source>unknown label {label!r}; use one of {labels}</source>
        <translation>Unbekannte Beschriftung {label!r}; erlaubt sind: {labels}</translation>
    </message>
    <message>
        <source>unknown reason {reason!r}; use one of: {reasons}</source>
        <translation>Unbekannter Grund {reason!r}; möglich sind: {reasons}</translation>
    </message>
    <message>
        <source>unknown report {name!r}; reports: {reports}</source>
        <translation>Unbekannter Bericht {name!r}; Berichte: {reports}</translation>
    </message>
    <message>
        <source>unknown setting {key!r}; known: {known}</source>
        <translation>Unbekannte Einstellung {key!r}; bekannt sind: {known}</translation>
    </message>
    <message>
        <source>unknown tax category {tax_code!r}</source>
        <translation>Unbekannte Steuerkategorie {tax_code!r}</translation>
    </message>
    <message>
        <source>unknown time zone {name!r} (e.g. Europe/Berlin)</source>
        <translation>Unbekannte Zeitzone {name!r} (z. B. Europe/Berlin)</translation>
    </message>
    <message>
        <source>unreadable GS1 Digital Link {body!r}: {exc}</source>
        <translation>Unlesbarer GS1 Digital Link {body!r}: {exc}</translation>
    </message>
    <message>
        <source>unreadable GS1 code {body!r}: {exc}</source>
        <translation>Unlesbarer GS1-Code {body!r}: {exc}</translation>
    </message>
    <message>
        <source>unusable GTIN {code!r}: {exc}</source>
        <translation>Unbrauchbare GTIN {code!r}: {exc}</translation>
    </message>
    <message>
        <source>use count or transfer for those movements</source>
        <translation>Verwenden Sie für diese Bewegungen eine Inventur oder Umlagerung.</translation>
    </message>
    <message>
        <source>user {username!r} already exists</source>
        <translation>Den Benutzer {username!r} gibt es schon.</translation>
    </message>
    <message>
        <source>wrong check digit in GTIN {code!r}: expected {expected}, got {got} (misread or mistyped code)</source>
        <translation>Falsche Prüfziffer in GTIN {code!r}: erwartet {expected}, gelesen {got} (Code falsch gelesen oder vertippt)</translation>
    </message>
    <message>
        <source>wrong user name or PIN</source>
        <translation>Falscher Benutzername oder falsche PIN.</translation>
    </message>
    <message>
        <source>you cannot deactivate yourself</source>
        <translation>Sie können sich nicht selbst deaktivieren.</translation>
    </message>
    <message>
        <source>{approver} may not authorise {action}</source>
        <translation>{approver} darf {action} nicht freigeben.</translation>
    </message>
    <message>
        <source>{base} already holds a store</source>
        <translation>In {base} gibt es schon eine Filiale.</translation>
    </message>
    <message>
        <source>{code!r} is not a GTIN: expected 8, 12, 13 or 14 digits</source>
        <translation>{code!r} ist keine GTIN: erwartet werden 8, 12, 13 oder 14 Ziffern.</translation>
    </message>
    <message>
        <source>{keys} is a secret: store it with `pos devices secret` (it goes to the OS keyring)</source>
        <translation>{keys} ist geheim: Speichern Sie es mit `pos devices secret` (es kommt in den Schlüsselbund des Systems).</translation>
    </message>
    <message>
        <source>{name} ({role}) may not do this: {action} needs a manager override</source>
        <translation>{name} ({role}) darf das nicht: {action} braucht die Freigabe eines Filialleiters.</translation>
    </message>
    <message>
        <source>{name} has no setting {key!r}</source>
        <translation>{name} hat keine Einstellung {key!r}.</translation>
    </message>
    <message>
        <source>{name} has only {credit} minor units of store credit</source>
        <translation>{name} hat nur {credit} Untereinheiten Guthaben.</translation>
    </message>
    <message>
        <source>{name} has {points} points</source>
        <translation>{name} hat {points} Punkte.</translation>
    </message>
    <message>
        <source>{name} is not for sale (inactive)</source>
        <translation>{name} ist nicht im Verkauf (inaktiv).</translation>
    </message>
    <message>
        <source>{name} is sold by the piece, not weighed</source>
        <translation>{name} wird nach Stück verkauft, nicht gewogen.</translation>
    </message>
    <message>
        <source>{name}: duplicate SKU or barcode within the product</source>
        <translation>{name}: doppelte Art.-Nr. oder doppelter Barcode im Artikel</translation>
    </message>
    <message>
        <source>{name}: name or category too long</source>
        <translation>{name}: Name oder Warengruppe zu lang</translation>
    </message>
    <message>
        <source>{number} is already {status}</source>
        <translation>{number} hat schon den Status {status}.</translation>
    </message>
    <message>
        <source>{number} is {status}: only a draft can change</source>
        <translation>{number} hat den Status {status}: Nur ein Entwurf kann sich ändern.</translation>
    </message>
    <message>
        <source>{number} is {status}: only an ordered purchase order can be received</source>
        <translation>{number} hat den Status {status}: Nur eine bestellte Bestellung kann angenommen werden.</translation>
    </message>
    <message>
        <source>{pct}% is beyond the approver&apos;s limit</source>
        <translation>{pct} % liegt über der Grenze des Freigebenden.</translation>
    </message>
    <message>
        <source>{reason} removes stock: give a negative quantity</source>
        <translation>{reason} bucht aus: Geben Sie eine negative Menge an.</translation>
    </message>
    <message>
        <source>{sku} has no barcode {code}</source>
        <translation>{sku} hat keinen Barcode {code}.</translation>
    </message>
    <message>
        <source>{sku} is not on {number}</source>
        <translation>{sku} steht nicht auf {number}.</translation>
    </message>
    <message>
        <source>{sku} is on the order twice: make it one line</source>
        <translation>{sku} steht zweimal auf der Bestellung: Machen Sie eine Position daraus.</translation>
    </message>
    <message>
        <source>{sku} is sold by the piece: a count of {value} is not whole</source>
        <translation>{sku} wird nach Stück verkauft: Eine Zählung von {value} ist keine ganze Zahl.</translation>
    </message>
    <message>
        <source>{sku} is sold by the piece: a quantity of {value} is not whole</source>
        <translation>{sku} wird nach Stück verkauft: Eine Menge von {value} ist keine ganze Zahl.</translation>
    </message>
    <message>
        <source>{sku}: SKU (64), size or colour (50) too long</source>
        <translation>{sku}: Art.-Nr. (64), Größe oder Farbe (50) zu lang</translation>
    </message>
    <message>
        <source>{sku}: a cost cannot be negative</source>
        <translation>{sku}: Ein Einkaufspreis kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>{sku}: a count cannot be negative</source>
        <translation>{sku}: Eine Zählung kann nicht negativ sein.</translation>
    </message>
    <message>
        <source>{sku}: cannot move {qty}, {on_hand} on hand</source>
        <translation>{sku}: {qty} lassen sich nicht umlagern, Bestand {on_hand}</translation>
    </message>
    <message>
        <source>{sku}: order a positive quantity</source>
        <translation>{sku}: Bestellen Sie eine positive Menge.</translation>
    </message>
    <message>
        <source>{sku}: prices cannot be negative</source>
        <translation>{sku}: Preise können nicht negativ sein.</translation>
    </message>
    <message>
        <source>{sku}: receive a positive quantity</source>
        <translation>{sku}: Nehmen Sie eine positive Menge an.</translation>
    </message>
    <message>
        <source>{sku}: transfer a positive quantity</source>
        <translation>{sku}: Lagern Sie eine positive Menge um.</translation>
    </message>
    <message>
        <source>{sku}: {qty} is more than the {outstanding} outstanding</source>
        <translation>{sku}: {qty} ist mehr als die offenen {outstanding}.</translation>
    </message>
    <message>
        <source>{text!r} has more decimals than {code} allows ({exponent})</source>
        <translation>{text!r} hat mehr Nachkommastellen, als {code} erlaubt ({exponent}).</translation>
    </message>
    <message>
        <source>{text!r} is negative</source>
        <translation>{text!r} ist negativ.</translation>
    </message>
    <message>
        <source>{text!r} is not yes/no (use yes, no, true, false, 1 or 0)</source>
        <translation>{text!r} ist nicht ja/nein (verwenden Sie yes, no, true, false, 1 oder 0).</translation>
    </message>
    <message>
        <source>{username} is locked after {max_failed} wrong PINs; try again after {until} UTC or ask a manager</source>
        <translation>{username} ist nach {max_failed} falschen PINs gesperrt; versuchen Sie es nach {until} UTC wieder oder fragen Sie einen Filialleiter.</translation>
    </message>
    <message>
        <source>{username} is the last active admin</source>
        <translation>{username} ist der letzte aktive Administrator.</translation>
    </message>
    <message>
        <source>{username} is the last admin: make another admin first</source>
        <translation>{username} ist der letzte Administrator: Machen Sie zuerst jemand anderen zum Administrator.</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Print</source>
        <translation>Drucken</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Reports</source>
        <translation>Berichte</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>PDF exportieren</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Dieser Monat</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Verkäufe</translation>
    </message>
    <message>
        <source>Revenue</source>
        <translation>Umsatz</translation>
    </message>
    <message>
        <source>Net of refunds</source>
        <translation>Nach Erstattungen</translation>
    </message>
    <message>
        <source>Average basket</source>
        <translation>Durchschnittsbon</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Erstattungen</translation>
    </message>
    <message>
        <source>Discounts</source>
        <translation>Rabatte</translation>
    </message>
    <message>
        <source>Sales by hour of day</source>
        <translation>Verkäufe nach Tageszeit</translation>
    </message>
    <message>
        <source>Sales by day</source>
        <translation>Verkäufe pro Tag</translation>
    </message>
    <message>
        <source>(no category)</source>
        <translation>(keine Warengruppe)</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Net</source>
        <translation>Netto</translation>
    </message>
    <message>
        <source>Tax</source>
        <translation>Steuer</translation>
    </message>
    <message>
        <source>Avg basket</source>
        <translation>Ø Bon</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Margin</source>
        <translation>Marge</translation>
    </message>
    <message>
        <source>Margin %</source>
        <translation>Marge %</translation>
    </message>
    <message>
        <source>Top items</source>
        <translation>Topseller</translation>
    </message>
    <message>
        <source>Top items by revenue</source>
        <translation>Topseller nach Umsatz</translation>
    </message>
    <message>
        <source>Categories</source>
        <translation>Warengruppen</translation>
    </message>
    <message>
        <source>Categories by revenue</source>
        <translation>Warengruppen nach Umsatz</translation>
    </message>
    <message>
        <source>Tenders</source>
        <translation>Zahlungsarten</translation>
    </message>
    <message>
        <source>Tender</source>
        <translation>Zahlungsart</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Zahlungen</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>Eingenommen</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Erstattet</translation>
    </message>
    <message>
        <source>Tender mix</source>
        <translation>Anteile der Zahlungsarten</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Satz</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>Bemessungsgrundlage</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Zeitpunkt</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Bon</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>Ursprungsbon</translation>
    </message>
    <message>
        <source>no receipt</source>
        <translation>ohne Bon</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>Kassierer</translation>
    </message>
    <message>
        <source>Approved by</source>
        <translation>Freigegeben von</translation>
    </message>
    <message>
        <source>Cashiers</source>
        <translation>Kassierer</translation>
    </message>
    <message>
        <source>Voided sales</source>
        <translation>Stornierte Verkäufe</translation>
    </message>
    <message>
        <source>Voided lines</source>
        <translation>Stornierte Positionen</translation>
    </message>
    <message>
        <source>No-sales</source>
        <translation>Öffnungen ohne Verkauf</translation>
    </message>
    <message>
        <source>Revenue per cashier</source>
        <translation>Umsatz pro Kassierer</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>Das Enddatum liegt vor dem Startdatum.</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF-Dateien (*.pdf)</translation>
    </message>
    <message>
        <source>The report is still loading; try again in a moment.</source>
        <translation>Der Bericht lädt noch; versuchen Sie es gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <source>Return from receipt %1</source>
        <translation>Rückgabe zu Bon %1</translation>
    </message>
    <message>
        <source>Sold %1 · total %2</source>
        <translation>Verkauft %1 · Summe %2</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <source>Returnable</source>
        <translation>Rückgabefähig</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Rückgabe</translation>
    </message>
    <message>
        <source>Put the items back into stock</source>
        <translation>Artikel zurück in den Bestand buchen</translation>
    </message>
    <message>
        <source>Refund to</source>
        <translation>Erstatten auf</translation>
    </message>
    <message>
        <source>How it was paid</source>
        <translation>Wie bezahlt wurde</translation>
    </message>
    <message>
        <source>Store credit</source>
        <translation>Guthaben</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Erstatten</translation>
    </message>
    <message>
        <source>Choose at least one item to return.</source>
        <translation>Wählen Sie mindestens einen Artikel zur Rückgabe.</translation>
    </message>
</context>
<context>
    <name>SaleScreen</name>
    <message>
        <source>Customer</source>
        <translation>Kunde</translation>
    </message>
    <message>
        <source>One less</source>
        <translation>Eins weniger</translation>
    </message>
    <message>
        <source>One more</source>
        <translation>Eins mehr</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>Rabatt</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <source>Remove the line</source>
        <translation>Position entfernen</translation>
    </message>
    <message>
        <source>Scan, or type a name, SKU or barcode</source>
        <translation>Scannen oder Name, Art.-Nr. oder Barcode eingeben</translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation>Favoriten</translation>
    </message>
    <message>
        <source>Qty ×</source>
        <translation>Menge ×</translation>
    </message>
    <message>
        <source>Sale discount</source>
        <translation>Bonrabatt</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>Parken</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Rückgabe</translation>
    </message>
    <message>
        <source>More</source>
        <translation>Mehr</translation>
    </message>
    <message>
        <source>Price check</source>
        <translation>Preisabfrage</translation>
    </message>
    <message>
        <source>Open drawer (no sale)</source>
        <translation>Kassenlade öffnen (ohne Verkauf)</translation>
    </message>
    <message>
        <source>Reprint last receipt</source>
        <translation>Letzten Bon erneut drucken</translation>
    </message>
    <message>
        <source>Void sale</source>
        <translation>Verkauf stornieren</translation>
    </message>
    <message>
        <source>Paid in</source>
        <translation>Einlage</translation>
    </message>
    <message>
        <source>Paid out</source>
        <translation>Entnahme</translation>
    </message>
    <message>
        <source>X report</source>
        <translation>X-Bericht</translation>
    </message>
    <message>
        <source>Close shift (Z report)</source>
        <translation>Schicht schließen (Z-Bon)</translation>
    </message>
    <message>
        <source>Back office</source>
        <translation>Backoffice</translation>
    </message>
    <message>
        <source>Light / dark theme</source>
        <translation>Helles / dunkles Design</translation>
    </message>
    <message>
        <source>Lock till</source>
        <translation>Kasse sperren</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>Bezahlen</translation>
    </message>
    <message>
        <source>%1 · %2 points</source>
        <translation>%1 · %2 Punkte</translation>
    </message>
    <message>
        <source>Pay %1</source>
        <translation>Bezahlen %1</translation>
    </message>
    <message>
        <source>Nothing found for “%1”</source>
        <translation>Nichts gefunden für „%1“</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Store and till</source>
        <translation>Filiale und Kasse</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>Filiale</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>Prices</source>
        <translation>Preise</translation>
    </message>
    <message>
        <source>Language and formats</source>
        <translation>Sprache und Formate</translation>
    </message>
    <message>
        <source>Time zone for reports</source>
        <translation>Zeitzone für Berichte</translation>
    </message>
    <message>
        <source>this computer&apos;s</source>
        <translation>die dieses Computers</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Lock the till after</source>
        <translation>Kasse sperren nach</translation>
    </message>
    <message>
        <source> min (0: never)</source>
        <translation> Min. (0: nie)</translation>
    </message>
    <message>
        <source>Wrong PINs before a lock-out</source>
        <translation>Falsche PINs bis zur Sperre</translation>
    </message>
    <message>
        <source>Round cash to</source>
        <translation>Bargeld runden auf</translation>
    </message>
    <message>
        <source> minor units</source>
        <translation> Cent</translation>
    </message>
    <message>
        <source>Loyalty points per unit paid</source>
        <translation>Treuepunkte pro bezahlter Einheit</translation>
    </message>
    <message>
        <source>Value of a point</source>
        <translation>Wert eines Punkts</translation>
    </message>
    <message>
        <source>Favourites on the till</source>
        <translation>Favoriten an der Kasse</translation>
    </message>
    <message>
        <source>SKUs, separated by commas</source>
        <translation>Art.-Nr., durch Kommas getrennt</translation>
    </message>
    <message>
        <source>The drawer must be closed before the next sale</source>
        <translation>Die Kassenlade muss vor dem nächsten Verkauf geschlossen sein</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Kopfzeilen</translation>
    </message>
    <message>
        <source>Footer</source>
        <translation>Fußzeilen</translation>
    </message>
    <message>
        <source>a PNG file (optional)</source>
        <translation>eine PNG-Datei (optional)</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>Auswählen...</translation>
    </message>
    <message>
        <source>Logo</source>
        <translation>Logo</translation>
    </message>
    <message>
        <source>Print receipts</source>
        <translation>Bons drucken</translation>
    </message>
    <message>
        <source>Always</source>
        <translation>Immer</translation>
    </message>
    <message>
        <source>Ask each time</source>
        <translation>Jedes Mal fragen</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <source>A merchant copy when a card paid</source>
        <translation>Händlerbeleg bei Kartenzahlung</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Default template</source>
        <translation>Standardvorlage</translation>
    </message>
    <message>
        <source>Use this template</source>
        <translation>Diese Vorlage verwenden</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Bon</translation>
    </message>
    <message>
        <source>New tax category</source>
        <translation>Neue Steuerkategorie</translation>
    </message>
    <message>
        <source>Change rate</source>
        <translation>Satz ändern</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Satz</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>A new rate applies from the next item rung up; completed sales keep the rate they were sold at.</source>
        <translation>Ein neuer Satz gilt ab dem nächsten erfassten Artikel; abgeschlossene Verkäufe behalten ihren Satz.</translation>
    </message>
    <message>
        <source>Taxes</source>
        <translation>Steuern</translation>
    </message>
    <message>
        <source>include tax (VAT/GST)</source>
        <translation>inkl. Steuer (MwSt.)</translation>
    </message>
    <message>
        <source>before tax (sales tax added)</source>
        <translation>vor Steuer (Steuer wird aufgeschlagen)</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Nichts geändert.</translation>
    </message>
    <message>
        <source>Saved: %1.</source>
        <translation>Gespeichert: %1.</translation>
    </message>
    <message>
        <source>Receipt logo</source>
        <translation>Bon-Logo</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Receipts now print with %1.</source>
        <translation>Bons werden jetzt mit %1 gedruckt.</translation>
    </message>
    <message>
        <source>The rate as a fraction: 0.19 for 19 %.</source>
        <translation>Der Satz als Bruch: 0.19 für 19 %.</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Tax category %1</source>
        <translation>Steuerkategorie %1</translation>
    </message>
</context>
<context>
    <name>ShiftsPage</name>
    <message>
        <source>Shifts</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Show Z report</source>
        <translation>Z-Bon anzeigen</translation>
    </message>
    <message>
        <source>Closed shifts, newest first. Open one to see and print its Z report.</source>
        <translation>Abgeschlossene Schichten, neueste zuerst. Öffnen Sie eine, um ihren Z-Bon zu sehen und zu drucken.</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Geschlossen</translation>
    </message>
    <message>
        <source>Z no.</source>
        <translation>Z-Nr.</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>Verkäufe</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Erstattungen</translation>
    </message>
    <message>
        <source>Net sales</source>
        <translation>Nettoumsatz</translation>
    </message>
    <message>
        <source>Cash due</source>
        <translation>Bar-Soll</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>Gezählt</translation>
    </message>
    <message>
        <source>Over/short</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <source>Choose a shift in the list first.</source>
        <translation>Wählen Sie zuerst eine Schicht in der Liste.</translation>
    </message>
    <message>
        <source>Z report #%1</source>
        <translation>Z-Bon Nr. %1</translation>
    </message>
    <message>
        <source>Z report #%1 sent to the printer.</source>
        <translation>Z-Bon Nr. %1 an den Drucker gesendet.</translation>
    </message>
</context>
<context>
    <name>ShopPage</name>
    <message>
        <source>Your shop</source>
        <translation>Ihr Geschäft</translation>
    </message>
    <message>
        <source>Welcome. A few questions and the till is ready to sell. The store code and till code are part of every receipt number (S1-T1-000001).</source>
        <translation>Willkommen. Ein paar Fragen, und die Kasse ist verkaufsbereit. Filialcode und Kassencode sind Teil jeder Bonnummer (S1-T1-000001).</translation>
    </message>
    <message>
        <source>e.g. Corner Shop</source>
        <translation>z. B. Laden am Eck</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Name des Geschäfts</translation>
    </message>
    <message>
        <source>Store code</source>
        <translation>Filialcode</translation>
    </message>
    <message>
        <source>Till code</source>
        <translation>Kassencode</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Enter the shop&apos;s name.</source>
        <translation>Geben Sie den Namen des Geschäfts ein.</translation>
    </message>
    <message>
        <source>Store and till codes are 1 to 16 letters or digits.</source>
        <translation>Filial- und Kassencode haben 1 bis 16 Buchstaben oder Ziffern.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>Drawer</source>
        <translation>Kassenlade</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>Scanner</translation>
    </message>
    <message>
        <source>Card terminal</source>
        <translation>Kartenterminal</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>Kundendisplay</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>Waage</translation>
    </message>
    <message>
        <source>Sync off</source>
        <translation>Abgleich aus</translation>
    </message>
    <message>
        <source>No back-office system is connected to this till.</source>
        <translation>An diese Kasse ist kein System angebunden.</translation>
    </message>
    <message numerus="yes">
        <source>Sync: %n waiting</source>
        <translation>
            <numerusform>Abgleich: %n wartet</numerusform>
            <numerusform>Abgleich: %n warten</numerusform>
        </translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>Abgeglichen</translation>
    </message>
    <message numerus="yes">
        <source>%n receipt(s) waiting</source>
        <translation>
            <numerusform>%n Bon wartet</numerusform>
            <numerusform>%n Bons warten</numerusform>
        </translation>
    </message>
    <message>
        <source>Receipts that could not print yet are kept and print by themselves when the printer is ready.</source>
        <translation>Bons, die noch nicht gedruckt werden konnten, bleiben erhalten und werden von selbst gedruckt, sobald der Drucker bereit ist.</translation>
    </message>
    <message>
        <source>last sent %1</source>
        <translation>zuletzt gesendet %1</translation>
    </message>
    <message>
        <source>nothing sent yet</source>
        <translation>noch nichts gesendet</translation>
    </message>
    <message>
        <source>Offline: sales are kept on this till and sent when the connection is back (%1).</source>
        <translation>Offline: Verkäufe bleiben an dieser Kasse und werden gesendet, sobald die Verbindung zurück ist (%1).</translation>
    </message>
    <message>
        <source>Sales are sent to the back office (%1).</source>
        <translation>Verkäufe werden an das angebundene System gesendet (%1).</translation>
    </message>
</context>
<context>
    <name>StockPage</name>
    <message>
        <source>Stock</source>
        <translation>Lager</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Lagerort</translation>
    </message>
    <message>
        <source>Add location</source>
        <translation>Lagerort hinzufügen</translation>
    </message>
    <message>
        <source>On hand</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>Stock counts</source>
        <translation>Inventuren</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>Umlagerungen</translation>
    </message>
    <message>
        <source>Name, SKU or barcode</source>
        <translation>Name, Art.-Nr. oder Barcode</translation>
    </message>
    <message>
        <source>Only at or below the reorder point</source>
        <translation>Nur auf oder unter Meldebestand</translation>
    </message>
    <message>
        <source>Adjust stock</source>
        <translation>Bestand korrigieren</translation>
    </message>
    <message>
        <source>Count selected</source>
        <translation>Auswahl zählen</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>Reorder at</source>
        <translation>Meldebestand</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reorder</source>
        <translation>Nachbestellen</translation>
    </message>
    <message>
        <source>not for sale</source>
        <translation>nicht im Verkauf</translation>
    </message>
    <message>
        <source>Open a count to go on counting, or start a new one.</source>
        <translation>Öffnen Sie eine Inventur oder starten Sie eine neue.</translation>
    </message>
    <message>
        <source>Start count</source>
        <translation>Inventur starten</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Inventur</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Begonnen</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Stock moved between locations, newest first.</source>
        <translation>Zwischen Lagerorten bewegter Bestand, neueste zuerst.</translation>
    </message>
    <message>
        <source>New transfer</source>
        <translation>Neue Umlagerung</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Umlagerung</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>Lines</source>
        <translation>Positionen</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>committed</source>
        <translation>gebucht</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>Add a stock location</source>
        <translation>Lagerort hinzufügen</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>e.g. BACK</source>
        <translation>z. B. LAGER</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>e.g. Back room</source>
        <translation>z. B. Lagerraum</translation>
    </message>
    <message>
        <source>Location %1 added.</source>
        <translation>Lagerort %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Choose an item in the list first.</source>
        <translation>Wählen Sie zuerst einen Artikel in der Liste.</translation>
    </message>
    <message>
        <source>%1: on hand now %2 (was %3).</source>
        <translation>%1: Bestand jetzt %2 (vorher %3).</translation>
    </message>
    <message>
        <source>Adjust</source>
        <translation>Korrigieren</translation>
    </message>
    <message>
        <source>Select the items to count in the list first.</source>
        <translation>Wählen Sie zuerst die zu zählenden Artikel in der Liste.</translation>
    </message>
    <message>
        <source>Start a stock count</source>
        <translation>Inventur starten</translation>
    </message>
    <message>
        <source>The whole location: count everything there</source>
        <translation>Den ganzen Lagerort: alles dort zählen</translation>
    </message>
    <message>
        <source>The %1 selected items</source>
        <translation>Die %1 ausgewählten Artikel</translation>
    </message>
    <message>
        <source>Items you do not count keep the stock they have. A sale while you count is not lost: each item is compared with the stock when it was counted.</source>
        <translation>Nicht gezählte Artikel behalten ihren Bestand. Ein Verkauf während der Zählung geht nicht verloren: Jeder Artikel wird mit dem Bestand zum Zeitpunkt seiner Zählung verglichen.</translation>
    </message>
    <message>
        <source>optional, e.g. aisle 3</source>
        <translation>optional, z. B. Gang 3</translation>
    </message>
    <message>
        <source>The selected items are from another location: choose that location or the whole location.</source>
        <translation>Die ausgewählten Artikel sind aus einem anderen Lagerort: Wählen Sie diesen Lagerort oder den ganzen Lagerort.</translation>
    </message>
    <message>
        <source>A transfer needs a second location: add one first.</source>
        <translation>Eine Umlagerung braucht einen zweiten Lagerort: Legen Sie zuerst einen an.</translation>
    </message>
    <message>
        <source>%1: %2 lines moved from %3 to %4.</source>
        <translation>%1: %2 Positionen von %3 nach %4 umgelagert.</translation>
    </message>
    <message>
        <source>Add at least one item.</source>
        <translation>Fügen Sie mindestens einen Artikel hinzu.</translation>
    </message>
    <message>
        <source>Transfer %1</source>
        <translation>Umlagerung %1</translation>
    </message>
    <message>
        <source>%1 from %2 to %3</source>
        <translation>%1 von %2 nach %3</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>Sync</source>
        <translation>Abgleich</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Retry everything waiting</source>
        <translation>Alles Wartende erneut senden</translation>
    </message>
    <message>
        <source>Connector</source>
        <translation>Schnittstelle</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Unterwegs</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Last sent</source>
        <translation>Zuletzt gesendet</translation>
    </message>
    <message>
        <source>Last problem</source>
        <translation>Letztes Problem</translation>
    </message>
    <message>
        <source>Refused by the target (dead letters)</source>
        <translation>Vom Ziel abgelehnt (unzustellbar)</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>What the target said</source>
        <translation>Antwort des Ziels</translation>
    </message>
    <message>
        <source>Change connector settings</source>
        <translation>Schnittstelle einstellen</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Überspringen</translation>
    </message>
    <message>
        <source>No back-office system is connected. Add one with `pos sync connector add`.</source>
        <translation>Kein System angebunden. Binden Sie eines mit `pos sync connector add` an.</translation>
    </message>
    <message>
        <source>Choose a refused event first.</source>
        <translation>Wählen Sie zuerst ein abgelehntes Ereignis.</translation>
    </message>
    <message>
        <source>Sent again: %1.</source>
        <translation>Erneut gesendet: %1.</translation>
    </message>
    <message>
        <source>Skipped: it will not be sent to %1.</source>
        <translation>Übersprungen: Es wird nicht an %1 gesendet.</translation>
    </message>
    <message>
        <source>%1 deliveries are due again now.</source>
        <translation>%1 Zustellungen werden jetzt erneut versucht.</translation>
    </message>
    <message>
        <source>Connector %1</source>
        <translation>Schnittstelle %1</translation>
    </message>
    <message>
        <source>Change a value, or add a KEY=VALUE line (e.g. tax.STD=…); secrets go to the OS keyring.</source>
        <translation>Ändern Sie einen Wert oder fügen Sie eine Zeile SCHLÜSSEL=WERT hinzu (z. B. tax.STD=…); Geheimnisse kommen in den Schlüsselbund des Systems.</translation>
    </message>
    <message>
        <source>New setting</source>
        <translation>Neue Einstellung</translation>
    </message>
    <message>
        <source>Connector %1 changed; retry its refused events now.</source>
        <translation>Schnittstelle %1 geändert; senden Sie ihre abgelehnten Ereignisse jetzt erneut.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
<context>
    <name>TillSession</name>
    <message>
        <source>Finish the payment first.</source>
        <translation>Schließen Sie zuerst die Zahlung ab.</translation>
    </message>
    <message>
        <source>Sale parked.</source>
        <translation>Verkauf geparkt.</translation>
    </message>
    <message>
        <source>Scan an item first.</source>
        <translation>Scannen Sie zuerst einen Artikel.</translation>
    </message>
    <message>
        <source>Payments are taken: finish the sale or void it.</source>
        <translation>Es sind Zahlungen erfasst: Schließen Sie den Verkauf ab oder stornieren Sie ihn.</translation>
    </message>
    <message>
        <source>Copy sent to the printer.</source>
        <translation>Kopie an den Drucker gesendet.</translation>
    </message>
    <message>
        <source>Drawer opened.</source>
        <translation>Kassenlade geöffnet.</translation>
    </message>
    <message>
        <source>No drawer answered.</source>
        <translation>Keine Kassenlade hat geantwortet.</translation>
    </message>
    <message>
        <source>Something went wrong. Nothing was lost; the details are in the log.</source>
        <translation>Etwas ist schiefgegangen. Es ging nichts verloren; die Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>TillWindow</name>
    <message>
        <source>%1 — till %2</source>
        <translation>%1 — Kasse %2</translation>
    </message>
    <message>
        <source>Printed.</source>
        <translation>Gedruckt.</translation>
    </message>
    <message>
        <source>The printer cannot print now; the report is kept and prints later.</source>
        <translation>Der Drucker kann gerade nicht drucken; der Bericht bleibt erhalten und wird später gedruckt.</translation>
    </message>
    <message>
        <source>Paid-in recorded.</source>
        <translation>Einlage gebucht.</translation>
    </message>
    <message>
        <source>Paid-out recorded.</source>
        <translation>Entnahme gebucht.</translation>
    </message>
    <message>
        <source>Open the shift: count the float in the drawer</source>
        <translation>Schicht öffnen: Zählen Sie den Anfangsbestand</translation>
    </message>
    <message>
        <source>Close the open window before scanning.</source>
        <translation>Schließen Sie das offene Fenster, bevor Sie scannen.</translation>
    </message>
    <message>
        <source>Go back to the till to sell.</source>
        <translation>Gehen Sie zum Verkaufen zurück zur Kasse.</translation>
    </message>
    <message>
        <source>Log in first.</source>
        <translation>Melden Sie sich zuerst an.</translation>
    </message>
    <message>
        <source>Finish the payment first.</source>
        <translation>Schließen Sie zuerst die Zahlung ab.</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Discount on %1</source>
        <translation>Rabatt auf %1</translation>
    </message>
    <message>
        <source>Discount on the whole sale</source>
        <translation>Rabatt auf den ganzen Verkauf</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Rückgabe</translation>
    </message>
    <message>
        <source>Scan the receipt&apos;s code or type its number</source>
        <translation>Scannen Sie den Bon oder geben Sie die Nummer ein</translation>
    </message>
    <message>
        <source>no sale</source>
        <translation>ohne Verkauf</translation>
    </message>
    <message>
        <source>No sale on this till since it started.</source>
        <translation>Seit dem Start kein Verkauf an dieser Kasse.</translation>
    </message>
    <message>
        <source>Paid in</source>
        <translation>Einlage</translation>
    </message>
    <message>
        <source>Paid out</source>
        <translation>Entnahme</translation>
    </message>
    <message>
        <source>X report</source>
        <translation>X-Bericht</translation>
    </message>
    <message>
        <source>Enter a number.</source>
        <translation>Geben Sie eine Zahl ein.</translation>
    </message>
    <message>
        <source>Z report</source>
        <translation>Z-Bon</translation>
    </message>
    <message>
        <source>Enter the weight in kg, e.g. 0.5</source>
        <translation>Geben Sie das Gewicht in kg ein, z. B. 0,5</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>No stable reading from the scale. Weight of %1 in kg:</source>
        <translation>Kein stabiler Wert von der Waage. Gewicht von %1 in kg:</translation>
    </message>
    <message>
        <source>Offline: the back office cannot be reached. Keep selling — sales are saved on this till and sent when the connection is back.</source>
        <translation>Offline: Das angebundene System ist nicht erreichbar. Verkaufen Sie einfach weiter — Verkäufe werden an dieser Kasse gespeichert und gesendet, sobald die Verbindung zurück ist.</translation>
    </message>
    <message>
        <source>The back office is for managers: log in as a manager.</source>
        <translation>Das Backoffice ist für Filialleiter: Melden Sie sich als Filialleiter an.</translation>
    </message>
    <message>
        <source>Only a manager can close the till.</source>
        <translation>Nur ein Filialleiter kann die Kasse beenden.</translation>
    </message>
    <message>
        <source>Finish the payment before closing the till.</source>
        <translation>Schließen Sie die Zahlung ab, bevor Sie die Kasse beenden.</translation>
    </message>
    <message>
        <source>Card payments interrupted last time were finished: %1 sale(s) completed, %2 parked.</source>
        <translation>Beim letzten Mal unterbrochene Kartenzahlungen wurden beendet: %1 Verkauf/Verkäufe abgeschlossen, %2 geparkt.</translation>
    </message>
</context>
<context>
    <name>TotalsPanel</name>
    <message>
        <source>TOTAL</source>
        <translation>SUMME</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n Artikel</numerusform>
            <numerusform>%n Artikel</numerusform>
        </translation>
    </message>
    <message>
        <source>Subtotal %1</source>
        <translation>Zwischensumme %1</translation>
    </message>
    <message>
        <source>Discounts −%1</source>
        <translation>Rabatte −%1</translation>
    </message>
    <message>
        <source>incl. tax</source>
        <translation>inkl. MwSt.</translation>
    </message>
    <message>
        <source>plus tax</source>
        <translation>zzgl. Steuer</translation>
    </message>
    <message>
        <source>on</source>
        <translation>auf</translation>
    </message>
</context>
<context>
    <name>TouchDialog</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>New transfer</source>
        <translation>Neue Umlagerung</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Menge</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>Art.-Nr.</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Artikel</translation>
    </message>
    <message>
        <source>On hand at source</source>
        <translation>Bestand am Ausgangsort</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Position entfernen</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Rolle ändern</translation>
    </message>
    <message>
        <source>Reset PIN</source>
        <translation>PIN zurücksetzen</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>Neuer Benutzer</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>A new role applies from the user&apos;s next login.</source>
        <translation>Eine neue Rolle gilt ab der nächsten Anmeldung des Benutzers.</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>Kassierer</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Schichtleiter</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Filialleiter</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Inactive: cannot log in</source>
        <translation>Inaktiv: kann sich nicht anmelden</translation>
    </message>
    <message>
        <source>Locked until %1 (wrong PINs)</source>
        <translation>Gesperrt bis %1 (falsche PINs)</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Reactivate</source>
        <translation>Reaktivieren</translation>
    </message>
    <message>
        <source>Choose a user in the list first.</source>
        <translation>Wählen Sie zuerst einen Benutzer in der Liste.</translation>
    </message>
    <message>
        <source>for logging in, e.g. anna</source>
        <translation>zum Anmelden, z. B. anna</translation>
    </message>
    <message>
        <source>shown on the till</source>
        <translation>wird an der Kasse angezeigt</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>Die beiden PINs sind verschieden: Geben Sie zweimal dieselbe PIN ein.</translation>
    </message>
    <message>
        <source>%1 can log in now.</source>
        <translation>%1 kann sich jetzt anmelden.</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>Benutzer anlegen</translation>
    </message>
    <message>
        <source>Role of %1</source>
        <translation>Rolle von %1</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 ist jetzt %2.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>New PIN for %1</source>
        <translation>Neue PIN für %1</translation>
    </message>
    <message>
        <source>This also lifts the lockout after wrong PINs.</source>
        <translation>Das hebt auch die Sperre nach falschen PINs auf.</translation>
    </message>
    <message>
        <source>%1 has a new PIN.</source>
        <translation>%1 hat eine neue PIN.</translation>
    </message>
    <message>
        <source>Set PIN</source>
        <translation>PIN setzen</translation>
    </message>
    <message>
        <source>%1 can log in again.</source>
        <translation>%1 kann sich wieder anmelden.</translation>
    </message>
    <message>
        <source>Deactivate %1?</source>
        <translation>%1 deaktivieren?</translation>
    </message>
    <message>
        <source>%1 can no longer log in. Their name stays on past sales and reports; you can reactivate them later.</source>
        <translation>%1 kann sich nicht mehr anmelden. Der Name bleibt bei früheren Verkäufen und in Berichten erhalten; Sie können den Benutzer später reaktivieren.</translation>
    </message>
    <message>
        <source>%1 is deactivated.</source>
        <translation>%1 ist deaktiviert.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 bis 8 Ziffern</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN wiederholen</translation>
    </message>
</context>
<context>
    <name>VariantDialog</name>
    <message>
        <source>Price</source>
        <translation>Preis</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Einkaufspreis</translation>
    </message>
    <message>
        <source>Reorder point</source>
        <translation>Meldebestand</translation>
    </message>
    <message>
        <source>For sale</source>
        <translation>Im Verkauf</translation>
    </message>
    <message>
        <source>Barcodes</source>
        <translation>Barcodes</translation>
    </message>
    <message>
        <source>Scan or type a barcode</source>
        <translation>Barcode scannen oder eingeben</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
</TS>

"""Plain-Python domain: money, pricing, tax, barcodes, audit chain. No Qt, no SQLAlchemy."""

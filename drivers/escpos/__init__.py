"""ESC/POS receipt printers (and the cash drawer on their kick connector) through python-escpos."""

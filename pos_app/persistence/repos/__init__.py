"""Repository mixins; ``pos_app.persistence.store.SqlTx`` combines them into one transaction."""

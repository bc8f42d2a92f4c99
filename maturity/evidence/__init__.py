"""Evidence sources: where gates get the facts they judge."""

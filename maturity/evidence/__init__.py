"""Evidence sources: where gates get the facts they judge. Nothing here imports the gates."""

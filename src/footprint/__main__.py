from footprint.cli.main import entry

entry()

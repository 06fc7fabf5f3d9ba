from footprint.cli.launch import entry

entry()

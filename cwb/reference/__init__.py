"""Reference geography and deprivation: built from installed packages or official files."""

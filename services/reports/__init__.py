"""School reports (XLSX) and paper extracts, one module per report family; the registry
says which exist and who may have them."""

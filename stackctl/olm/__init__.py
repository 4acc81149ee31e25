"""OLM packaging: registry+v1 bundles and file-based catalogs from the install bases and the catalog, and a
bundle validator that runs operator-sdk's checks plus the ones it misses.

    generate.generate(io.render_inputs(catalog, root, keys), registry)   # pure: files for bundles/
    io.write_tree(Path("bundles"), files, owned)                          # atomic swap
    validate.validate_bundle(io.read_bundle(path), validate.Options(...)) # findings
"""

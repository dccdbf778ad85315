"""Media's pure rules: what an upload slot may be, and what a verified object must be."""

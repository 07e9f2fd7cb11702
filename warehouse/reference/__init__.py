"""Reference data the warehouse builds from the shared material (communes)."""

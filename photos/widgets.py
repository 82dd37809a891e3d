"""Form widgets that choose a library photo."""

"""Status badges (SVG) for READMEs and dashboards, drawn by the broker itself so that they work
offline: pact verification, matrix, can-i-deploy and can-i-merge, at the official URLs."""

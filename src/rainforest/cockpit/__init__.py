"""The city cockpit (驾驶舱): every target the city has published, against what has happened."""

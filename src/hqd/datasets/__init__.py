"""Bundled data sets: the Jing-Jin-Ji demo (real framework, synthetic panel) and region facts."""

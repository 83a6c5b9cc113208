"""Coverage-guided fuzzing (atheris) of the parser, the mbox splitter and the whole engine."""

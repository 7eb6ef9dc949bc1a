"""The programme set together (issue 15, part 3): the learning questions on one page for the
trainers, and themes for the coming meetings that participants vote on."""

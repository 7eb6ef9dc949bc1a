"""Writing to people: messages from trainers and coordinators to a programme's participants,
and the notices homework groups and trainers get when something changes for them."""

"""Planning: requests to the source entities (``solicitud``), the cronograma and the reminders."""

"""The review-and-approval workflow of the CIM procedure (PRO-PÉT-03, section 6)."""

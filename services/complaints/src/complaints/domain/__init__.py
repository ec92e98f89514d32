"""Pure complaints domain: values (model), policies and deadlines, the Complaint aggregate,
the deadline monitor, rates and duplicate detection. No I/O and no framework imports here."""

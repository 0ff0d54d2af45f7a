"""Analysis: ECCN classification, compute inventory, ownership chains and explained red flags."""

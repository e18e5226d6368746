print("email-audit")

print("tmm-verify")

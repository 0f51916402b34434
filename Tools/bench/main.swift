print("tmm-bench")

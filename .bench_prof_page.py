import cProfile, os, pstats, runpy, io
pr = cProfile.Profile()
pr.enable()
try:
    runpy.run_path(os.environ["CWB_BENCH_PAGE"], run_name="__main__")
finally:
    pr.disable()
    if os.environ.get("CWB_PROF_PRINT") == "1":
        s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45); open("/tmp/perf_prof_out.txt", "w").write(s.getvalue())

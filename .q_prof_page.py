import cProfile, os, runpy
pr = cProfile.Profile()
pr.enable()
try:
    runpy.run_path(os.environ["CWB_BENCH_PAGE"], run_name="__main__")
finally:
    pr.disable()
    pr.dump_stats("/tmp/q_page.prof")

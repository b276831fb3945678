from cwb.cli import main

raise SystemExit(main())

from ananke_ci.cli import main

raise SystemExit(main())

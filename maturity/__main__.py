from maturity._cli import main

raise SystemExit(main())

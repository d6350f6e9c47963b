from para_monitor_cli.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()

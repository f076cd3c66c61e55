"""The viewer's commands in the command palette (ctrl+p): the keys' actions, findable by name."""

COMMANDS = (  # the palette's commands: (title, what it does, the action)
    ("Toggle live tail", "Start or stop polling for new entries (t)", "toggle_tail"),
    ("Reload", "Load again from the newest entry; retries after an error (r)", "reload"),
    ("Save view", "Write the filtered entries to .jsonl or .csv (s)", "save"),
    ("Copy entry", "Copy the selected entry as JSON (y)", "copy_entry"),
    ("Clear status filter", "Show every status (0)", "clear_status"),
    ("Choose connector", "Read another connector of the team (c)", "choose_connector"),
    ("Histogram", "Show or hide the volume over time; pick a bar to narrow the dates (h)", "toggle_histogram"),
    ("Stats", "Per tool/credential/event numbers and error groups; Enter filters (i)", "toggle_stats"),
    ("Clear stats filters", "Lift the filters picked in the stats panel (x)", "clear_pattern_filters"),
    ("Columns", "Choose the table's columns, fields found in the data too (f)", "pick_columns"),
    ("Banner", "Show the message above the table in full, or fold it to its first lines (m)", "toggle_banner"),
    ("Filter sidebar", "Show or hide the filters on the left; below 120 columns they fold away (b)", "toggle_sidebar"),
)
FILE_HELP = {"reload": "Read the file again as it is now, telling its API again (r)"}  # (a file's, where it differs)

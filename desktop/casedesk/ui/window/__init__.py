"""The main window's parts, each a mixin of MainWindow named for what it holds.

actions          the action table, menus, toolbar, status bar widgets, shortcuts and About
edit_controller  edit requests from the inspector and chart turned into undo commands
link_menu        the link types offered between two records, and the chart's context menu
context_menus    right-click menus on the navigator, tables and chart; the Links tab; rows out
chart_commands   find path, expand, hide, layout, filters and focus on the link chart
case_tools       import, export, analysis, screening, new case and the demo case
workspace_switcher  new/open workspace, database URL, recent workspaces
window_state     docks and geometry saved, restored and reset; closing
status_totals    window title, status-bar totals, tab titles and busy state
"""

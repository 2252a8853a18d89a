// Placeholder entry point; the roles arrive with the Reference.System issue.
return 0;

/* Being built: the article form's local copy and who-is-editing (workflow issue, §5). */

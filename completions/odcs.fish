function __odcs_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __odcs_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __odcs_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __odcs_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __odcs_parse_tokens -S
    set -l unparsed_tokens (__odcs_tokens -pc)
    switch $unparsed_tokens[1]
    case 'odcs'
        __odcs_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __odcs_parse_subcommand 0 'config=' 'host=' 'port=' 'database-url=' 'target-dir=' 'target-dir-url=' 'node-id=' 'state-dir=' 'log-level=' 'no-migrate' 'version' 'h/help'
        case 'migrate'
            __odcs_parse_subcommand 0 'config=' 'host=' 'port=' 'database-url=' 'target-dir=' 'target-dir-url=' 'node-id=' 'state-dir=' 'log-level=' 'version' 'h/help'
        case 'config'
            __odcs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __odcs_parse_subcommand 0 'config=' 'host=' 'port=' 'database-url=' 'target-dir=' 'target-dir-url=' 'node-id=' 'state-dir=' 'log-level=' 'version' 'h/help'
            case 'keys'
                __odcs_parse_subcommand 0 'version' 'h/help'
            end
        case 'compose'
            __odcs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __odcs_parse_subcommand -r 2 'package=+' 'build=+' 'sigkey=+' 'koji-event=' 'arch=+' 'multilib-arch=+' 'multilib-method=+' 'flag=+' 'result=+' 'lookaside-repo=+' 'label=' 'compose-type=' 'target-dir=' 'seconds-to-live=' 'modular-tag=+' 'module-defaults-url=' 'module-defaults-commit=' 'scratch-module=+' 'scratch-build-task=+' 'base-module-br-name=' 'base-module-br-stream=' 'base-module-br-stream-version-lte=' 'base-module-br-stream-version-gte=' 'parent-pungi-compose-id=+' 'respin-of=' 'wait' 'timeout=' 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            case 'get'
                __odcs_parse_subcommand 1 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            case 'list'
                __odcs_parse_subcommand 0 'state=' 'owner=' 'source-type=' 'source=' 'label=' 'compose-type=' 'pungi-compose-id=' 'page=' 'per-page=' 'order-by=' 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            case 'wait'
                __odcs_parse_subcommand 1 'timeout=' 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            case 'renew'
                __odcs_parse_subcommand 1 'seconds-to-live=' 'label=' 'sigkey=+' 'wait' 'timeout=' 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            case 'delete'
                __odcs_parse_subcommand 1 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
            end
        case 'about'
            __odcs_parse_subcommand 0 'server=' 'token=' 'token-file=' 'json' 'version' 'h/help'
        case 'help'
            __odcs_parse_subcommand -r 1 'version'
        end
    end
end

function __odcs_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __odcs_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __odcs_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __odcs_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__odcs_tokens -p)
    if test -z "$(__odcs_tokens -t)"
        set -l index (count (__odcs_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'odcs' -f
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'serve' -d 'Run a node: the HTTP API over PostgreSQL.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'migrate' -d 'Apply schema migrations (safe when several nodes run it at once).'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'config' -d 'Inspect the configuration.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'compose' -d 'Client commands for composes on a running service.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'about' -d 'Show what the server is and allows.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" config' -l 'config' -d 'Configuration file (default /etc/odcs/odcs.yaml if it exists).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" port' -l 'port' -d 'Port to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" database-url' -l 'database-url' -d 'PostgreSQL URL; without one, an embedded PostgreSQL is started.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" target-dir' -l 'target-dir' -d 'Directory where composes are written.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" target-dir-url' -l 'target-dir-url' -d 'URL under which the target directory is served.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" node-id' -l 'node-id' -d 'This node\'s name.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" state-dir' -l 'state-dir' -d 'State directory (embedded PostgreSQL, lock file).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" log-level' -l 'log-level' -d 'Log level.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" no-migrate' -l 'no-migrate' -d 'Do not apply migrations on start.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" config' -l 'config' -d 'Configuration file (default /etc/odcs/odcs.yaml if it exists).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" port' -l 'port' -d 'Port to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" database-url' -l 'database-url' -d 'PostgreSQL URL; without one, an embedded PostgreSQL is started.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" target-dir' -l 'target-dir' -d 'Directory where composes are written.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" target-dir-url' -l 'target-dir-url' -d 'URL under which the target directory is served.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" node-id' -l 'node-id' -d 'This node\'s name.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" state-dir' -l 'state-dir' -d 'State directory (embedded PostgreSQL, lock file).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" log-level' -l 'log-level' -d 'Log level.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs config" -eq 1' -fa 'check' -d 'Validate the configuration and print the effective values.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs config" -eq 1' -fa 'keys' -d 'List every configuration key, its variable and default.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" config' -l 'config' -d 'Configuration file (default /etc/odcs/odcs.yaml if it exists).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" host' -l 'host' -d 'Address to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" port' -l 'port' -d 'Port to listen on.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" database-url' -l 'database-url' -d 'PostgreSQL URL; without one, an embedded PostgreSQL is started.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" target-dir' -l 'target-dir' -d 'Directory where composes are written.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" target-dir-url' -l 'target-dir-url' -d 'URL under which the target directory is served.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" node-id' -l 'node-id' -d 'This node\'s name.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" state-dir' -l 'state-dir' -d 'State directory (embedded PostgreSQL, lock file).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" log-level' -l 'log-level' -d 'Log level.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config keys" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs config keys" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'create' -d 'Request a compose.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'get' -d 'Show one compose.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'list' -d 'List composes (one page; filters are exact matches).'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'wait' -d 'Wait for a compose to finish, showing its progress.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'renew' -d 'Extend a done compose\'s time to live, or regenerate a removed or failed one.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose" -eq 1' -fa 'delete' -d 'Cancel a waiting compose, or remove a done or failed one now (admins).'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_positional "odcs compose create" -eq 1' -fka 'tag module repo pulp raw_config build pungi_compose'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'package' -d 'Include only this package (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'build' -d 'Koji build NVR to add (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'sigkey' -d 'Signing key, in order of preference (repeat; \'none\' allows unsigned).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" koji-event' -l 'koji-event' -d 'Build from this Koji event.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'arch' -d 'Architecture (repeat; default: the server\'s).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'multilib-arch' -d 'Architecture that gets multilib packages (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'multilib-method' -d 'Multilib method: none, runtime, devel, all (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'flag' -d 'Compose flag, e.g. no_deps, check_deps, no_reuse (repeat).' -rfka 'no_flags no_deps no_inheritance include_unpublished_pulp_repos check_deps include_done_modules ignore_absent_pulp_repos no_reuse use_only_compatible_arch no_label'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'result' -d 'Extra result: iso, ostree, boot.iso (repeat).' -rfka 'repository iso ostree boot.iso'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'lookaside-repo' -d 'Lookaside repository URL (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" label' -l 'label' -d 'Compose label, e.g. Beta-1.0.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" compose-type' -l 'compose-type' -d 'Compose type: test (default), ci, nightly, production, development.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" target-dir' -l 'target-dir' -d 'Target directory name (default: the server\'s default).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" seconds-to-live ttl' -l 'seconds-to-live' -l 'ttl' -d 'Time to live in seconds.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'modular-tag' -d 'Koji tag with modular builds (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" module-defaults-url' -l 'module-defaults-url' -d 'Git URL of the module defaults (with --module-defaults-commit).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" module-defaults-commit' -l 'module-defaults-commit' -d 'Commit of the module defaults.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'scratch-module' -d 'Scratch module N:S:V:C (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'scratch-build-task' -d 'Koji scratch build task id (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" base-module-br-name' -l 'base-module-br-name' -d 'Base module buildrequire name (module).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" base-module-br-stream' -l 'base-module-br-stream' -d 'Base module buildrequire stream (module).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" base-module-br-stream-version-lte' -l 'base-module-br-stream-version-lte' -d 'Highest base module stream version (module).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" base-module-br-stream-version-gte' -l 'base-module-br-stream-version-gte' -d 'Lowest base module stream version (module).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create"' -l 'parent-pungi-compose-id' -d 'Pungi compose id of a parent compose (repeat).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" respin-of' -l 'respin-of' -d 'Pungi compose id of the compose this one respins.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" wait' -l 'wait' -d 'Wait for the compose to finish, showing its progress.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" timeout' -l 'timeout' -d 'With --wait: give up after this many seconds (exit 2).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" state' -l 'state' -d 'Only this state: wait, generating, done, removed, failed (or its number).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" owner' -l 'owner' -d 'Only this owner.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" source-type' -l 'source-type' -d 'Only this source type: tag, module, repo, pulp, raw_config, build, pungi_compose (or its number).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" source' -l 'source' -d 'Only composes whose whole source is this.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" label' -l 'label' -d 'Only this label.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" compose-type' -l 'compose-type' -d 'Only this compose type.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" pungi-compose-id' -l 'pungi-compose-id' -d 'Only this Pungi compose id.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" page' -l 'page' -d 'The page (from 1).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" per-page' -l 'per-page' -d 'Composes per page (server default 10).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" order-by' -l 'order-by' -d 'Sort key (id, owner, source_type, koji_event, state, time_to_expire, time_submitted, time_done, time_removed); a leading - sorts descending.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" timeout' -l 'timeout' -d 'Give up after this many seconds (exit 2).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" seconds-to-live ttl' -l 'seconds-to-live' -l 'ttl' -d 'New time to live from now, in seconds.' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" label' -l 'label' -d 'A new label (makes a new compose).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew"' -l 'sigkey' -d 'Signing keys for the new compose (repeat; \'none\' for unsigned).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" wait' -l 'wait' -d 'Wait for a regenerated compose to finish.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" timeout' -l 'timeout' -d 'With --wait: give up after this many seconds (exit 2).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose renew" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs compose delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" server' -l 'server' -d 'The service URL (default: $ODCS_SERVER, else http://127.0.0.1:5005).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" token' -l 'token' -d 'A bearer token (OIDC access token) for the server (default: $ODCS_TOKEN).' -rfka ''
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" token-file' -l 'token-file' -d 'Read the bearer token from this file.' -rF
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" json' -l 'json' -d 'Print the server\'s JSON instead of a table.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" version' -l 'version' -d 'Show the version.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs about" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'odcs' -n '__odcs_should_offer_completions_for_flags_or_options "odcs help" version' -l 'version' -d 'Show the version.'

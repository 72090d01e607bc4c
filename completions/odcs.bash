#!/bin/bash

__odcs_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__odcs_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__odcs_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__odcs_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_odcs() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __odcs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|migrate|config|compose|about|help)
        # Offer subcommand argument completions
        "_odcs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve migrate config compose about help' -- "${cur}"))
        ;;
    esac
}

_odcs_serve() {
    repeating_flags=()
    non_repeating_flags=(--no-migrate --version -h --help)
    repeating_options=()
    non_repeating_options=(--config --host --port --database-url --target-dir --target-dir-url --node-id --state-dir --log-level)
    __odcs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--database-url')
        return
        ;;
    '--target-dir')
        return
        ;;
    '--target-dir-url')
        return
        ;;
    '--node-id')
        return
        ;;
    '--state-dir')
        return
        ;;
    '--log-level')
        return
        ;;
    esac
}

_odcs_migrate() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--config --host --port --database-url --target-dir --target-dir-url --node-id --state-dir --log-level)
    __odcs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--database-url')
        return
        ;;
    '--target-dir')
        return
        ;;
    '--target-dir-url')
        return
        ;;
    '--node-id')
        return
        ;;
    '--state-dir')
        return
        ;;
    '--log-level')
        return
        ;;
    esac
}

_odcs_config() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __odcs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    check|keys)
        # Offer subcommand argument completions
        "_odcs_config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'check keys' -- "${cur}"))
        ;;
    esac
}

_odcs_config_check() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--config --host --port --database-url --target-dir --target-dir-url --node-id --state-dir --log-level)
    __odcs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--database-url')
        return
        ;;
    '--target-dir')
        return
        ;;
    '--target-dir-url')
        return
        ;;
    '--node-id')
        return
        ;;
    '--state-dir')
        return
        ;;
    '--log-level')
        return
        ;;
    esac
}

_odcs_config_keys() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __odcs_offer_flags_options 0
}

_odcs_compose() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __odcs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|get|list|wait|renew|delete)
        # Offer subcommand argument completions
        "_odcs_compose_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create get list wait renew delete' -- "${cur}"))
        ;;
    esac
}

_odcs_compose_create() {
    repeating_flags=()
    non_repeating_flags=(--wait --json --version -h --help)
    repeating_options=(--package --build --sigkey --arch --multilib-arch --multilib-method --flag --result --lookaside-repo --modular-tag --scratch-module --scratch-build-task --parent-pungi-compose-id)
    non_repeating_options=(--koji-event --label --compose-type --target-dir --seconds-to-live --ttl --module-defaults-url --module-defaults-commit --base-module-br-name --base-module-br-stream --base-module-br-stream-version-lte --base-module-br-stream-version-gte --respin-of --timeout --server --token --token-file)
    __odcs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--package')
        return
        ;;
    '--build')
        return
        ;;
    '--sigkey')
        return
        ;;
    '--koji-event')
        return
        ;;
    '--arch')
        return
        ;;
    '--multilib-arch')
        return
        ;;
    '--multilib-method')
        return
        ;;
    '--flag')
        __odcs_add_completions -W 'no_flags'$'\n''no_deps'$'\n''no_inheritance'$'\n''include_unpublished_pulp_repos'$'\n''check_deps'$'\n''include_done_modules'$'\n''ignore_absent_pulp_repos'$'\n''no_reuse'$'\n''use_only_compatible_arch'$'\n''no_label'
        return
        ;;
    '--result')
        __odcs_add_completions -W 'repository'$'\n''iso'$'\n''ostree'$'\n''boot.iso'
        return
        ;;
    '--lookaside-repo')
        return
        ;;
    '--label')
        return
        ;;
    '--compose-type')
        return
        ;;
    '--target-dir')
        return
        ;;
    '--seconds-to-live'|'--ttl')
        return
        ;;
    '--modular-tag')
        return
        ;;
    '--module-defaults-url')
        return
        ;;
    '--module-defaults-commit')
        return
        ;;
    '--scratch-module')
        return
        ;;
    '--scratch-build-task')
        return
        ;;
    '--base-module-br-name')
        return
        ;;
    '--base-module-br-stream')
        return
        ;;
    '--base-module-br-stream-version-lte')
        return
        ;;
    '--base-module-br-stream-version-gte')
        return
        ;;
    '--parent-pungi-compose-id')
        return
        ;;
    '--respin-of')
        return
        ;;
    '--timeout')
        return
        ;;
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __odcs_add_completions -W 'tag'$'\n''module'$'\n''repo'$'\n''pulp'$'\n''raw_config'$'\n''build'$'\n''pungi_compose'
        return
        ;;
    esac
}

_odcs_compose_get() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --token-file)
    __odcs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_compose_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--state --owner --source-type --source --label --compose-type --pungi-compose-id --page --per-page --order-by --server --token --token-file)
    __odcs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--state')
        return
        ;;
    '--owner')
        return
        ;;
    '--source-type')
        return
        ;;
    '--source')
        return
        ;;
    '--label')
        return
        ;;
    '--compose-type')
        return
        ;;
    '--pungi-compose-id')
        return
        ;;
    '--page')
        return
        ;;
    '--per-page')
        return
        ;;
    '--order-by')
        return
        ;;
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_compose_wait() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--timeout --server --token --token-file)
    __odcs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--timeout')
        return
        ;;
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_compose_renew() {
    repeating_flags=()
    non_repeating_flags=(--wait --json --version -h --help)
    repeating_options=(--sigkey)
    non_repeating_options=(--seconds-to-live --ttl --label --timeout --server --token --token-file)
    __odcs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--seconds-to-live'|'--ttl')
        return
        ;;
    '--label')
        return
        ;;
    '--sigkey')
        return
        ;;
    '--timeout')
        return
        ;;
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_compose_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --token-file)
    __odcs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_about() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--server --token --token-file)
    __odcs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--server')
        return
        ;;
    '--token')
        return
        ;;
    '--token-file')
        __odcs_add_completions -f
        return
        ;;
    esac
}

_odcs_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __odcs_offer_flags_options -1
}

complete -o filenames -F _odcs odcs

using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Deployment;

/// <summary>
/// Reads the <c>nodes:</c>, <c>topics:</c>, <c>groups:</c> and <c>client:</c> of a system file into a
/// <see cref="DeclaredSystem"/> (docs/systems.md, "Nodes without code"), recording every problem with its line and
/// column rather than stopping at the first; <see cref="SystemFile"/> calls it.
/// </summary>
internal static partial class DeclaredSystemReader
{
    /// <summary>The keys of the file that describe nodes; any of them without <c>nodes:</c> is an error.</summary>
    public static readonly string[] Keys = ["nodes", "topics", "groups", "client"];

    private static readonly string[] NodeKeys = ["role", "command", "args", "env", "ready", "instances", "startupTimeout"];
    private static readonly string[] ClientKeys = ["api", "devices", "hub", "adminKey", "paths", "methods"];
    private static readonly string[] PathKeys = ["token", "messages", "notifications", "inbox"];
    private static readonly string[] MethodKeys = ["deliver", "ack", "resume"];
    private static readonly string[] Simple = ["name", "role", "instance", "kafka", "run", "dir", "seed", "port"];

    /// <summary>The declared system the entries describe; null when one of them was wrong (each recorded in <paramref name="errors"/>).</summary>
    public static DeclaredSystem? Read(IReadOnlyDictionary<string, SourceMappingEntry> entries, string source, List<ScheduleFileError> errors)
    {
        var before = errors.Count;
        var nodesEntry = entries["nodes"];
        var nodes = new List<DeclaredNode>();
        var roles = new HashSet<string>(StringComparer.Ordinal); // as written, so that groups and client are checked even when a node is wrong
        if (nodesEntry.Value is not SourceSequence { Items.Count: > 0 } items)
        {
            errors.Add(Error(source, nodesEntry.Value, "nodes", "expected a list of nodes, each a mapping with role, command, args, env, ready, instances"));
        }
        else
        {
            foreach (var item in items.Items)
            {
                if (item is SourceMapping m && m.Entries.FirstOrDefault(e => e.Key == "role") is { Value: SourceScalar { Value: { Length: > 0 } role } } && !roles.Add(role))
                {
                    errors.Add(Error(source, item, "nodes.role", $"role '{role}' is declared twice: one entry per role, with instances: for more"));
                }

                if (Node(item, source, errors) is { } node)
                {
                    nodes.Add(node);
                }
            }
        }

        var topics = entries.TryGetValue("topics", out var topicsEntry) ? Topics(topicsEntry, source, errors) : [];
        var groups = entries.TryGetValue("groups", out var groupsEntry) ? Groups(groupsEntry, roles, topics, source, errors) : [];
        DeclaredClient? client = null;
        if (!entries.TryGetValue("client", out var clientEntry))
        {
            errors.Add(Error(source, nodesEntry.Value, "client", "missing: with nodes:, say how the harness drives them (client: api, devices, adminKey; docs/systems.md)"));
        }
        else
        {
            client = Client(clientEntry, roles, source, errors);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".";
        return errors.Count > before || client is null ? null : new DeclaredSystem { Nodes = nodes, Topics = topics, Groups = groups, Client = client, Directory = directory };
    }

    private static DeclaredNode? Node(SourceNode item, string source, List<ScheduleFileError> errors)
    {
        if (item is not SourceMapping node)
        {
            errors.Add(Error(source, item, "nodes", "expected a mapping with role, command, args, env, ready, instances"));
            return null;
        }

        var before = errors.Count;
        var fields = node.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        foreach (var entry in node.Entries.Where(e => !NodeKeys.Contains(e.Key, StringComparer.Ordinal)))
        {
            var message = entry.Key switch
            {
                "image" => "nodes from container images are not built yet: give the command that runs the node (docs/systems.md, \"What is not built\")",
                "port" => "a node's ports are the harness's: write {port} in its args and it picks a free loopback port for each instance",
                _ => $"not a key of a node (known: {string.Join(", ", NodeKeys)})",
            };
            errors.Add(new ScheduleFileError(source, entry.Line, entry.Column, $"nodes.{entry.Key}", message));
        }

        var role = Required(fields, "role", node, source, errors);
        if (role is not null && !RolePattern().IsMatch(role))
        {
            errors.Add(Error(source, fields["role"].Value, "nodes.role", $"'{role}' is not a role name (1-48 letters, digits, '.', '_' or '-', starting with a letter)"));
        }

        var command = Required(fields, "command", node, source, errors);
        var ready = Required(fields, "ready", node, source, errors);
        if (ready is not null && !ready.StartsWith('/'))
        {
            errors.Add(Error(source, fields["ready"].Value, "nodes.ready", $"'{ready}' is not a path (it starts with '/': GET on the node's endpoint answers 2xx once it serves)"));
        }

        List<string> args = [];
        if (fields.TryGetValue("args", out var argsEntry))
        {
            if (argsEntry.Value is not SourceSequence list)
            {
                errors.Add(Error(source, argsEntry.Value, "nodes.args", "expected a list of arguments"));
            }
            else
            {
                foreach (var arg in list.Items)
                {
                    if (arg is SourceScalar { Value: { } value })
                    {
                        Placeholders(value, arg, "nodes.args", source, errors);
                        args.Add(value);
                    }
                    else
                    {
                        errors.Add(Error(source, arg, "nodes.args", "expected an argument (a word or a string)"));
                    }
                }
            }
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("env", out var envEntry))
        {
            if (envEntry.Value is not SourceMapping variables)
            {
                errors.Add(Error(source, envEntry.Value, "nodes.env", "expected a mapping of variable: value"));
            }
            else
            {
                foreach (var variable in variables.Entries)
                {
                    if (variable.Value is SourceScalar { Value: { } value } && VariablePattern().IsMatch(variable.Key))
                    {
                        Placeholders(value, variable.Value, $"nodes.env.{variable.Key}", source, errors);
                        env[variable.Key] = value;
                    }
                    else
                    {
                        errors.Add(new ScheduleFileError(source, variable.Line, variable.Column, $"nodes.env.{variable.Key}", "expected NAME: value (a name of letters, digits and '_')"));
                    }
                }
            }
        }

        if (role is not null && !args.Concat(env.Values).Any(v => v.Contains("{port}", StringComparison.Ordinal)))
        {
            errors.Add(Error(source, node, "nodes.args", $"node '{role}' has no {{port}} in its args or env: the harness reaches each instance on the loopback port it gives it there"));
        }

        var instances = 1;
        if (fields.TryGetValue("instances", out var instancesEntry))
        {
            if (instancesEntry.Value is SourceScalar { Value: { } count } && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= SystemRequirements.MaxInstances)
            {
                instances = n;
            }
            else
            {
                errors.Add(Error(source, instancesEntry.Value, "nodes.instances", $"expected a whole number within 1..{SystemRequirements.MaxInstances}"));
            }
        }

        var startup = TimeSpan.FromSeconds(60);
        if (fields.TryGetValue("startupTimeout", out var startupEntry))
        {
            if (startupEntry.Value is SourceScalar { Value: { } text } && DurationText.TryParse(text, out var value, out var error) && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(10))
            {
                startup = value;
            }
            else
            {
                errors.Add(Error(source, startupEntry.Value, "nodes.startupTimeout", "expected a duration within 1s..10m (e.g. 60s)"));
            }
        }

        return errors.Count > before || role is null || command is null || ready is null
            ? null
            : new DeclaredNode { Role = role, Command = command, Arguments = args, Environment = env, Ready = ready, Instances = instances, StartupTimeout = startup };
    }

    private static List<KafkaTopic> Topics(SourceMappingEntry entry, string source, List<ScheduleFileError> errors)
    {
        var topics = new List<KafkaTopic>();
        if (entry.Value is not SourceSequence list)
        {
            errors.Add(Error(source, entry.Value, "topics", "expected a list of topics, each {name: NAME, partitions: N}"));
            return topics;
        }

        foreach (var item in list.Items)
        {
            if (item is not SourceMapping topic || topic.Entries.Any(e => e.Key is not ("name" or "partitions")))
            {
                errors.Add(Error(source, item, "topics", "expected {name: NAME, partitions: N}"));
                continue;
            }

            var fields = topic.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
            var name = Required(fields, "name", topic, source, errors, "topics.name");
            if (name is not null && !TopicPattern().IsMatch(name))
            {
                errors.Add(Error(source, fields["name"].Value, "topics.name", $"'{name}' is not a topic name (1-249 letters, digits, '.', '_' or '-')"));
                name = null;
            }

            var partitions = 0;
            if (Required(fields, "partitions", topic, source, errors, "topics.partitions") is { } p
                && !(int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out partitions) && partitions is >= 1 and <= 1000))
            {
                errors.Add(Error(source, fields["partitions"].Value, "topics.partitions", "expected a whole number within 1..1000"));
            }

            if (name is not null && partitions > 0)
            {
                if (topics.Any(t => t.Name == name))
                {
                    errors.Add(Error(source, item, "topics.name", $"topic '{name}' is declared twice"));
                }

                topics.Add(new KafkaTopic(name, partitions));
            }
        }

        return topics;
    }

    private static List<KafkaConsumerGroup> Groups(SourceMappingEntry entry, HashSet<string> roles, List<KafkaTopic> topics, string source, List<ScheduleFileError> errors)
    {
        var groups = new List<KafkaConsumerGroup>();
        if (entry.Value is not SourceSequence list)
        {
            errors.Add(Error(source, entry.Value, "groups", "expected a list of consumer groups, each {role: ROLE, group: GROUP, topic: TOPIC}"));
            return groups;
        }

        foreach (var item in list.Items)
        {
            if (item is not SourceMapping group || group.Entries.Any(e => e.Key is not ("role" or "group" or "topic")))
            {
                errors.Add(Error(source, item, "groups", "expected {role: ROLE, group: GROUP, topic: TOPIC}"));
                continue;
            }

            var fields = group.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
            var role = Required(fields, "role", group, source, errors, "groups.role");
            var name = Required(fields, "group", group, source, errors, "groups.group");
            var topic = Required(fields, "topic", group, source, errors, "groups.topic");
            if (role is not null && !roles.Contains(role))
            {
                errors.Add(Error(source, fields["role"].Value, "groups.role", $"'{role}' is not a role of nodes: (declared: {string.Join(", ", roles)})"));
                role = null;
            }

            if (topic is not null && topics.All(t => t.Name != topic))
            {
                errors.Add(Error(source, fields["topic"].Value, "groups.topic", $"'{topic}' is not among topics: (declared: {(topics.Count == 0 ? "none" : string.Join(", ", topics.Select(t => t.Name)))})"));
                topic = null;
            }

            if (role is not null && name is not null && topic is not null)
            {
                groups.Add(new KafkaConsumerGroup(role, name, topic));
            }
        }

        return groups;
    }

    private static DeclaredClient? Client(SourceMappingEntry entry, HashSet<string> roles, string source, List<ScheduleFileError> errors)
    {
        if (entry.Value is not SourceMapping client)
        {
            errors.Add(Error(source, entry.Value, "client", "expected a mapping with api, devices, adminKey (and hub, paths, methods)"));
            return null;
        }

        var before = errors.Count;
        Unknown(client, ClientKeys, "client", source, errors);
        var fields = client.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        var api = Role(Required(fields, "api", client, source, errors, "client.api"), "client.api");
        var devices = Role(Required(fields, "devices", client, source, errors, "client.devices"), "client.devices");
        var adminKey = Required(fields, "adminKey", client, source, errors, "client.adminKey");
        if (adminKey is not null)
        {
            Placeholders(adminKey, fields["adminKey"].Value, "client.adminKey", source, errors);
        }

        var declared = new DeclaredClient { Api = api ?? "", Devices = devices ?? "", AdminKey = adminKey ?? "" };
        if (fields.TryGetValue("hub", out var hubEntry) && PathOf(hubEntry, "client.hub") is { } hub)
        {
            declared = declared with { Hub = hub };
        }

        foreach (var (key, value) in Section(fields, "paths", PathKeys))
        {
            if (PathOf(value, $"client.paths.{key}") is not { } path)
            {
                continue;
            }

            if (key == "inbox" && !path.Contains("{user}", StringComparison.Ordinal))
            {
                errors.Add(Error(source, value.Value, "client.paths.inbox", $"'{path}' does not say where the user goes: write {{user}} in it (e.g. /users/{{user}}/inbox)"));
                continue;
            }

            declared = key switch
            {
                "token" => declared with { TokenPath = path },
                "messages" => declared with { MessagesPath = path },
                "notifications" => declared with { NotificationsPath = path },
                _ => declared with { InboxPath = path },
            };
        }

        foreach (var (key, value) in Section(fields, "methods", MethodKeys))
        {
            if (value.Value is not SourceScalar { Value: { } method } || !MethodPattern().IsMatch(method))
            {
                errors.Add(Error(source, value.Value, $"client.methods.{key}", "expected a hub method name (letters, digits and '_')"));
                continue;
            }

            declared = key switch
            {
                "deliver" => declared with { DeliverMethod = method },
                "ack" => declared with { AckMethod = method },
                _ => declared with { ResumeMethod = method },
            };
        }

        return errors.Count > before || api is null || devices is null || adminKey is null ? null : declared;

        string? Role(string? role, string field)
        {
            if (role is not null && !roles.Contains(role))
            {
                errors.Add(Error(source, fields[field["client.".Length..]].Value, field, $"'{role}' is not a role of nodes: (declared: {string.Join(", ", roles)})"));
                return null;
            }

            return role;
        }

        string? PathOf(SourceMappingEntry path, string field)
        {
            if (path.Value is SourceScalar { Value: { Length: > 1 } text } && text.StartsWith('/') && !text.Any(char.IsWhiteSpace))
            {
                return text;
            }

            errors.Add(Error(source, path.Value, field, "expected a path starting with '/' (no spaces)"));
            return null;
        }

        IEnumerable<(string Key, SourceMappingEntry Value)> Section(Dictionary<string, SourceMappingEntry> all, string name, string[] keys)
        {
            if (!all.TryGetValue(name, out var section))
            {
                return [];
            }

            if (section.Value is not SourceMapping mapping)
            {
                errors.Add(Error(source, section.Value, $"client.{name}", $"expected a mapping of {string.Join(", ", keys)}"));
                return [];
            }

            Unknown(mapping, keys, $"client.{name}", source, errors);
            return [.. mapping.Entries.Where(e => keys.Contains(e.Key, StringComparer.Ordinal)).Select(e => (e.Key, e))];
        }
    }

    /// <summary>Records every <c>{…}</c> in <paramref name="value"/> that is not a placeholder the harness fills.</summary>
    private static void Placeholders(string value, SourceNode at, string field, string source, List<ScheduleFileError> errors)
    {
        foreach (Match match in PlaceholderPattern().Matches(value))
        {
            var name = match.Groups["name"].Value;
            var known = Simple.Contains(name, StringComparer.Ordinal)
                || (name.StartsWith("port:", StringComparison.Ordinal) && SuffixPattern().IsMatch(name["port:".Length..]))
                || (name.StartsWith("secret:", StringComparison.Ordinal) && SuffixPattern().IsMatch(name["secret:".Length..]));
            if (!known)
            {
                errors.Add(Error(source, at, field, $"{{{name}}} is not a placeholder (known: {{port}}, {{port:NAME}}, {string.Join(", ", DeclaredSystem.Placeholders.Select(p => $"{{{p}}}"))})"));
            }
        }
    }

    private static void Unknown(SourceMapping mapping, string[] keys, string field, string source, List<ScheduleFileError> errors)
    {
        foreach (var entry in mapping.Entries.Where(e => !keys.Contains(e.Key, StringComparer.Ordinal)))
        {
            errors.Add(new ScheduleFileError(source, entry.Line, entry.Column, $"{field}.{entry.Key}", $"not a key of {field} (known: {string.Join(", ", keys)})"));
        }
    }

    private static string? Required(Dictionary<string, SourceMappingEntry> fields, string key, SourceMapping owner, string source, List<ScheduleFileError> errors, string? field = null)
    {
        field ??= $"nodes.{key}";
        if (!fields.TryGetValue(key, out var entry))
        {
            errors.Add(Error(source, owner, field, "missing"));
            return null;
        }

        if (entry.Value is SourceScalar { Value: { Length: > 0 } value })
        {
            return value;
        }

        errors.Add(Error(source, entry.Value, field, "expected a value (a word or a string)"));
        return null;
    }

    private static ScheduleFileError Error(string source, SourceNode at, string field, string message) =>
        new(source, at.Line, at.Column, field, message);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._-]{0,47}$")]
    private static partial Regex RolePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex MethodPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SuffixPattern();

    [GeneratedRegex(@"\{(?<name>[^{}]*)\}")]
    private static partial Regex PlaceholderPattern();
}

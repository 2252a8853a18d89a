using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// Reads a system file (<c>chaos.system.yaml</c>; the schema is in docs/systems.md): which adapter deploys the system
/// (the reference system's, or one of your own built against the harness's API: <c>adapter:</c>) or which nodes make
/// it up (<c>nodes:</c>, read by <see cref="DeclaredSystemReader"/>),
/// where Kafka is, what the storage is, where the nodes run, whether targets off loopback are allowed. Read with the
/// harness's bounded YAML reader (positions kept, nesting and alias expansion limited) and checked whole: every problem
/// is reported at once, each with its line and column. Nothing a file names is trusted further than the command line's
/// own flags would be — a bootstrap list goes through the same loopback policy as <c>--kafka-bootstrap</c>.
/// </summary>
public static class SystemFile
{
    private static readonly string[] Keys = ["system", "adapter", "kafka", "storage", "topology", "allowRemote", .. DeclaredSystemReader.Keys];

    /// <summary>Loads and checks the file at <paramref name="path"/> (at most 16 MiB, UTF-8);
    /// <paramref name="allowRemote"/> is the command line's <c>--allow-remote</c>.</summary>
    /// <exception cref="SystemFileException">The file cannot be read or is not a valid system file.</exception>
    public static async Task<SystemDescription> LoadAsync(string path, bool allowRemote, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await FaultScheduleFile.ReadBoundedAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ScheduleFileException e)
        {
            throw new SystemFileException(e.Errors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SystemFileException([new ScheduleFileError(path, 0, 0, "(file)", $"cannot read the file: {e.Message}")]);
        }

        return Parse(text, path, allowRemote);
    }

    /// <summary>Parses and checks <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SystemFileException">Not a valid system file; the message lists every problem.</exception>
    public static SystemDescription Parse(string text, string source, bool allowRemote)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        SourceNode root;
        try
        {
            root = YamlSourceReader.Read(text, source);
        }
        catch (ScheduleFileException e)
        {
            throw new SystemFileException(e.Errors);
        }

        var errors = new List<ScheduleFileError>();
        if (root is not SourceMapping mapping)
        {
            throw new SystemFileException([new ScheduleFileError(source, root.Line, root.Column, "(file)", $"expected a mapping of {string.Join(", ", Keys)}")]);
        }

        var entries = mapping.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        foreach (var entry in mapping.Entries.Where(e => !Keys.Contains(e.Key, StringComparer.Ordinal)))
        {
            errors.Add(new ScheduleFileError(source, entry.Line, entry.Column, entry.Key, $"not a key of a system file (known: {string.Join(", ", Keys)})"));
        }

        var description = new SystemDescription { Source = source };
        entries.TryGetValue("adapter", out var adapterEntry);
        entries.TryGetValue("nodes", out var nodesEntry);
        if (!entries.TryGetValue("system", out var system))
        {
            errors.Add(new ScheduleFileError(source, mapping.Line, mapping.Column, "system", $"missing: name the system ({SystemDescription.ReferenceSystem}, your adapter's name with adapter:, or your system's with nodes:)"));
        }
        else if (Text(system, errors, source) is { } name)
        {
            description = description with { System = name };
            if (name == SystemDescription.ReferenceSystem && (adapterEntry ?? nodesEntry) is { } extra)
            {
                errors.Add(Error(source, extra, $"the {SystemDescription.ReferenceSystem} system is built in: name another system, or leave {extra.Key}: out"));
            }
            else if (adapterEntry is not null && nodesEntry is not null)
            {
                errors.Add(Error(source, nodesEntry, "a system is deployed by its adapter (adapter:) or described by its nodes (nodes:), not both"));
            }
            else if (name != SystemDescription.ReferenceSystem && adapterEntry is null && nodesEntry is null)
            {
                errors.Add(Error(source, system, $"'{name}' is not built in (built in: {SystemDescription.ReferenceSystem}): add adapter: the path of its adapter assembly, or describe its nodes with nodes: (docs/systems.md)"));
            }
        }

        if (nodesEntry is not null && description.System != SystemDescription.ReferenceSystem && adapterEntry is null)
        {
            description = description with { Declared = DeclaredSystemReader.Read(entries, source, errors) };
        }
        else if (nodesEntry is null)
        {
            foreach (var key in DeclaredSystemReader.Keys.Where(entries.ContainsKey))
            {
                errors.Add(new ScheduleFileError(source, entries[key].Line, entries[key].Column, key, "only with nodes: (it describes the nodes' topics, groups and client)"));
            }
        }

        if (adapterEntry is not null && Text(adapterEntry, errors, source) is { } adapterPath && description.System != SystemDescription.ReferenceSystem)
        {
            // relative to the file, as a project file's paths are: the file and its adapter travel together
            var full = Path.GetFullPath(adapterPath, Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".");
            if (File.Exists(full))
            {
                description = description with { Adapter = full };
            }
            else
            {
                errors.Add(Error(source, adapterEntry, $"{full}: no such file (build the adapter first: dotnet build -c Release)"));
            }
        }

        bool? remote = null;
        if (entries.TryGetValue("allowRemote", out var remoteEntry) && Text(remoteEntry, errors, source) is { } remoteText)
        {
            remote = remoteText switch
            {
                "true" => true,
                "false" => false,
                _ => null,
            };
            if (remote is null)
            {
                errors.Add(Error(source, remoteEntry, $"'{remoteText}' is not true or false"));
            }
        }

        description = description with { AllowRemote = remote };
        if (entries.TryGetValue("kafka", out var kafka))
        {
            description = Kafka(description, kafka, allowRemote || remote == true, errors, source);
        }

        if (entries.TryGetValue("storage", out var storage))
        {
            description = Storage(description, storage, errors, source);
        }

        if (entries.TryGetValue("topology", out var topology) && Text(topology, errors, source) is { } kindText)
        {
            if (TopologyFactory.TryParse(kindText, out var kind))
            {
                description = description with { Topology = kind };
            }
            else
            {
                errors.Add(Error(source, topology, $"'{kindText}' is not a topology (known: {string.Join(", ", Enum.GetNames<TopologyKind>().Select(n => n.ToLowerInvariant()))})"));
            }
        }

        return errors.Count > 0 ? throw new SystemFileException([.. errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]) : description;
    }

    private static SystemDescription Kafka(SystemDescription description, SourceMappingEntry kafka, bool allowRemote, List<ScheduleFileError> errors, string source)
    {
        if (kafka.Value is SourceScalar { Value: "embedded" })
        {
            return description with { KafkaEmbedded = true };
        }

        if (kafka.Value is not SourceMapping cluster || cluster.Entries.Count != 1 || cluster.Entries[0].Key != "bootstrap")
        {
            errors.Add(Error(source, kafka, "expected 'embedded' or a mapping with one key, bootstrap: host:port[,host:port...]"));
            return description;
        }

        var bootstrap = cluster.Entries[0];
        if (Text(bootstrap, errors, source, "kafka.bootstrap") is not { } list)
        {
            return description;
        }

        try
        {
            return description with { KafkaBootstrap = ExistingKafka.ParseBootstrap(list, allowRemote, "kafka.bootstrap") };
        }
        catch (Exception e) when (e is ArgumentException or NonLoopbackTargetException)
        {
            const string prefix = "kafka.bootstrap: "; // the field names it already
            var message = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            errors.Add(new ScheduleFileError(source, bootstrap.Value.Line, bootstrap.Value.Column, "kafka.bootstrap", message));
            return description;
        }
    }

    private static SystemDescription Storage(SystemDescription description, SourceMappingEntry storage, List<ScheduleFileError> errors, string source)
    {
        if (storage.Value is SourceScalar { Value: "sqlite" })
        {
            return description with { StorageSqlite = true };
        }

        if (storage.Value is not SourceMapping database || database.Entries.Count != 1 || database.Entries[0].Key != "postgres")
        {
            errors.Add(Error(source, storage, "expected 'sqlite' or a mapping with one key, postgres: a PostgreSQL connection string"));
            return description;
        }

        return Text(database.Entries[0], errors, source, "storage.postgres") is { } connection
            ? description with { Postgres = connection }
            : description;
    }

    /// <summary>The entry's value as text, or null (recorded as an error) when it is not a non-empty scalar.</summary>
    private static string? Text(SourceMappingEntry entry, List<ScheduleFileError> errors, string source, string? field = null)
    {
        if (entry.Value is SourceScalar { Value: { Length: > 0 } value })
        {
            return value;
        }

        errors.Add(new ScheduleFileError(source, entry.Value.Line, entry.Value.Column, field ?? entry.Key, "expected a value (a word or a string)"));
        return null;
    }

    private static ScheduleFileError Error(string source, SourceMappingEntry entry, string message) =>
        new(source, entry.Value.Line, entry.Value.Column, entry.Key, message);
}

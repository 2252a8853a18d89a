using System.CommandLine;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// The load a run drives — sends and jobs per second, users, devices, recipients — as options, and how they become a
/// <see cref="ChatWorkloadOptions"/>. <c>run</c>, <c>replay</c> and <c>capacity</c> take it inside
/// <see cref="RunOptionSet"/>; <c>verify</c> takes it alone, so one matrix can run at a lighter load than the defaults
/// (docs/running.md, "chaos verify").
/// </summary>
internal sealed class LoadOptionSet
{
    private static readonly ChatWorkloadOptions Defaults = new();
    private readonly Option<string?> rate = new("--rate") { Description = $"Sends per second (default {Defaults.Rate})." };
    private readonly Option<string?> jobRate = new("--job-rate") { Description = $"Job submissions per second (default {Defaults.JobRate}; 0 for none)." };
    private readonly Option<string?> users = new("--users") { Description = $"Virtual users (default {Defaults.Users})." };
    private readonly Option<string?> devices = new("--devices") { Description = $"Devices per user (default {Defaults.Devices})." };
    private readonly Option<string?> recipients = new("--max-recipients") { Description = $"Most recipients of one chat message (default {Defaults.MaxRecipients})." };

    private readonly bool withRate;

    /// <param name="withRate">Whether the verb takes <c>--rate</c> (<c>capacity</c> sets the rate of each step itself).</param>
    public LoadOptionSet(bool withRate = true) => this.withRate = withRate;

    /// <summary>The options, in the order help lists them.</summary>
    public IEnumerable<Option> Options => new Option[] { rate, jobRate, users, devices, recipients }.Where(o => withRate || o != rate);

    /// <summary>Adds every load option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in Options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Whether <c>--job-rate</c> was given (a system that runs no jobs then gets none by default).</summary>
    public bool JobRateGiven(ParseResult parse) => parse.GetValue(jobRate) is not null;

    /// <summary>The load asked for, the defaults where an option is absent; a <see cref="UsageException"/> naming a malformed option.</summary>
    public ChatWorkloadOptions Bind(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new ChatWorkloadOptions
        {
            Rate = withRate ? RunCommand.Double(parse.GetValue(rate), "--rate", Defaults.Rate) : Defaults.Rate,
            JobRate = RunCommand.Double(parse.GetValue(jobRate), "--job-rate", Defaults.JobRate),
            Users = (int)RunCommand.Long(parse.GetValue(users), "--users", Defaults.Users),
            Devices = (int)RunCommand.Long(parse.GetValue(devices), "--devices", Defaults.Devices),
            MaxRecipients = (int)RunCommand.Long(parse.GetValue(recipients), "--max-recipients", Defaults.MaxRecipients),
        };
    }
}

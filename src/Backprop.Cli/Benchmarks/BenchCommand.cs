using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Benchmarks;

/// <summary>`backprop bench [w0 … w6]`: runs the standard workloads, one JSON line each (as the peers print), then a table.</summary>
internal sealed class BenchCommand(IAnsiConsole console) : Command<BenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[WORKLOADS]")]
        [Description("Workloads to run: w0 … w6 (default: all).")]
        public string[] Workloads { get; init; } = [];

        [CommandOption("--threads <N>")]
        [Description("Threads for the kernels (the standard workloads specify 2).")]
        [DefaultValue(2)]
        public int Threads { get; init; } = 2;

        [CommandOption("--data <DIR>")]
        [Description("The MNIST directory for W2, W3 and W6 (default: the bundled copy).")]
        public string? Data { get; init; }

        public override ValidationResult Validate()
        {
            var unknown = Workloads.Select(w => w.ToLowerInvariant()).Except(Benchmarks.Workloads.Names).ToArray();
            return unknown.Length > 0
                ? ValidationResult.Error($"bench: unknown workload(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", Benchmarks.Workloads.Names)}.")
                : Threads < 1 ? ValidationResult.Error("--threads must be at least 1.") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Threads.Count = settings.Threads;
        var names = settings.Workloads.Length == 0 ? Workloads.Names : settings.Workloads.Select(w => w.ToLowerInvariant()).ToArray();
        var mnist = settings.Data ?? Training.TrainingData.DefaultMnistDirectory();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("workload").AddColumn("result");
        foreach (var name in names)
        {
            foreach (var figure in Workloads.Run(name, mnist))
            {
                console.Profile.Out.Writer.WriteLine(figure.ToJson());
                table.AddRow(figure.Workload, Markup.Escape(figure.Describe()));
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        console.Write(table);
        return 0;
    }
}

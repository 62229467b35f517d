using System.Diagnostics.CodeAnalysis;
using Backprop.Cli.Evaluation;
using Backprop.Cli.Prediction;
using Backprop.Cli.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli;

/// <summary>The `backprop` command line: its commands, and one clear line (never a stack trace) for any error.</summary>
internal static partial class CliApp
{
    /// <summary>Runs the command line against a console; returns the exit code.</summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Spectre.Console.Cli reflects over the command and settings types of Backprop.Cli and over its own, which the project roots whole (TrimmerRootAssembly); CI runs the NativeAOT build's commands.")]
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var app = new CommandApp(new Registrar(console));
        app.Configure(config =>
        {
            config.SetApplicationName("backprop");
            config.UseStrictParsing();
            config.ConfigureConsole(console);
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train an MLP (default: 784-256-128-10 ReLU on the bundled MNIST) and save it.")
                .WithExample("train")
                .WithExample("train", "--epochs", "3", "--optimizer", "adam", "--lr", "0.001")
                .WithExample("train", "--model", "gpt");
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate a model: accuracy, per-class precision and recall, confusion matrix (also as PNG).")
                .WithExample("eval", "--model", "runs/RUN/model.safetensors");
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Classify inputs from an IDX file, a CSV file or a PNG of a digit.")
                .WithExample("predict", "--model", "runs/RUN/model.safetensors", "--input", "digit.png");
            config.AddCommand<Generation.GenerateCommand>("generate")
                .WithDescription("Sample text from a GPT trained with train --model gpt, streamed as it is drawn.")
                .WithExample("generate", "--model", "runs/RUN/model.safetensors", "--prompt", "ROMEO:", "--tokens", "500");
            config.AddCommand<Export.ExportCommand>("export")
                .WithDescription("Export a model to ONNX, for ONNX Runtime and other ONNX tools.")
                .WithExample("export", "--onnx", "--model", "runs/RUN/model.safetensors", "--out", "model.onnx");
            config.AddBranch("explain", explain =>
            {
                explain.SetDescription("Watch forward and backward propagation step by step (default: the seed network).");
                explain.SetDefaultCommand<Explaining.ExplainCommand>();
                explain.AddCommand<Explaining.ChainCommand>("chain")
                    .WithDescription("The chain rule at each node of a small expression, with numbers.");
                explain.AddCommand<Explaining.FlowCommand>("flow")
                    .WithDescription("Per-layer activation and gradient statistics of a deep network: vanishing, healthy, exploding.");
                explain.AddCommand<Explaining.FiltersCommand>("filters")
                    .WithDescription("The first convolution's learned filters of a trained model, as a PNG grid.")
                    .WithExample("explain", "filters", "--model", "runs/RUN/model.safetensors");
                explain.AddCommand<Explaining.AttentionCommand>("attention")
                    .WithDescription("Each head's attention weights of a GPT for a text, as a PNG grid, and where its last character looks.")
                    .WithExample("explain", "attention", "--model", "runs/RUN/model.safetensors", "--text", "ROMEO: But soft!");
                explain.AddCommand<Explaining.ActivationsCommand>("activations")
                    .WithDescription("Each convolution's feature maps for one input, one PNG per layer.")
                    .WithExample("explain", "activations", "--model", "runs/RUN/model.safetensors", "--input", "digit.png");
            });
            config.AddCommand<Explaining.GraphCommand>("graph")
                .WithDescription("Write the autograd graph of one training step as SVG, Graphviz DOT and Mermaid.")
                .WithExample("graph", "--out", "seed");
            config.AddCommand<Benchmarks.BenchCommand>("bench")
                .WithDescription("Run the standard workloads W0-W9 and print one JSON line per figure, then a table.")
                .WithExample("bench", "w1", "w2");
            config.SetExceptionHandler((exception, _) =>
            {
                var message = exception switch
                {
                    CommandParseException or CommandRuntimeException => Conversion(exception.Message, args),
                    NullReferenceException or IndexOutOfRangeException => $"internal error ({exception.GetType().Name}): {exception.Message}",
                    _ => exception.Message,
                };
                console.MarkupLine($"[red]error:[/] {Markup.Escape(message.ReplaceLineEndings(" "))}");
                return exception is TrainingDivergedException ? 3 : exception is CommandParseException or CommandRuntimeException ? 2 : 1;
            });
        });
        return app.Run(args, cancellationToken);
    }

    /// <summary>
    /// Spectre's "Failed to convert 'abc' to Single." names neither the option nor what it expects; this says both,
    /// finding the option before the value in <paramref name="args"/>.
    /// </summary>
    private static string Conversion(string message, string[] args)
    {
        var match = ConversionFailure().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var value = match.Groups["value"].Value;
        var at = Array.FindIndex(args, a => a == value || a.EndsWith("=" + value, StringComparison.Ordinal));
        var option = at < 0 ? "an option" : args[at] == value && at > 0 ? args[at - 1] : args[at].Split('=')[0];
        var expected = match.Groups["type"].Value switch
        {
            "Single" or "Double" => "a number",
            "Int32" or "Int64" => "a whole number",
            "UInt64" or "UInt32" => "a whole number >= 0",
            "Boolean" => "true or false",
            var other => "a " + other,
        };
        return $"{option}: '{value}' is not {expected}.";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (Nullable`1\[)?(?<type>\w+)")]
    private static partial System.Text.RegularExpressions.Regex ConversionFailure();
}

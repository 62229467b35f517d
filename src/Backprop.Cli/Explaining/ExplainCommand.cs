using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop explain`: forward and backward propagation of the seed network (or any small MLP), step by step, with numbers.</summary>
internal sealed class ExplainCommand(IAnsiConsole console) : Command<ExplainCommand.Settings>
{
    internal class NetworkSettings : CommandSettings
    {
        [CommandOption("--layers <SIZES>")]
        [Description("Layer sizes, input first (1,2,2 is the seed network).")]
        [DefaultValue("1,2,2")]
        public string Layers { get; init; } = "1,2,2";

        [CommandOption("--activation <NAME>")]
        [Description("relu, leaky-relu, sigmoid or tanh.")]
        [DefaultValue("relu")]
        public string Activation { get; init; } = "relu";

        [CommandOption("--loss <NAME>")]
        [Description("half-squared (½·Σ(ŷ−y)², the seed network's cost), mse or cross-entropy.")]
        [DefaultValue("half-squared")]
        public string Loss { get; init; } = "half-squared";

        [CommandOption("--seed <N>")]
        [Description("Seed of the He-scaled random weights.")]
        [DefaultValue(20UL)]
        public ulong Seed { get; init; } = 20;

        [CommandOption("--input <VALUES>")]
        [Description("The input values, comma-separated (default 0.5, …).")]
        public string? Input { get; init; }

        [CommandOption("--target <VALUES>")]
        [Description("The target values (default 1,0.2, …), or a class index for cross-entropy.")]
        public string? Target { get; init; }
    }

    internal sealed class Settings : NetworkSettings
    {
        [CommandOption("--steps <N>")]
        [Description("Training steps to show.")]
        [DefaultValue(3)]
        public int Steps { get; init; } = 3;

        [CommandOption("--lr <RATE>")]
        [Description("Learning rate.")]
        [DefaultValue(0.1f)]
        public float LearningRate { get; init; } = 0.1f;

        [CommandOption("--format <FORMAT>")]
        [Description("text, markdown or json.")]
        [DefaultValue("text")]
        public string Format { get; init; } = "text";

        public override ValidationResult Validate() =>
            Steps is < 1 or > 1000 ? ValidationResult.Error("--steps must be from 1 to 1000.")
            : !(LearningRate > 0f) ? ValidationResult.Error("--lr must be positive.")
            : Format is not ("text" or "markdown" or "json") ? ValidationResult.Error($"--format: '{Format}' is not one of text, markdown, json.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (network, x, y) = Build(settings);
        var steps = new List<StepTrace>();
        for (var s = 1; s <= settings.Steps; s++)
        {
            steps.Add(network.Step(s, x, y, settings.LearningRate));
        }

        var text = settings.Format switch
        {
            "json" => StepRenderer.Json(steps, settings.LearningRate),
            "markdown" => StepRenderer.Markdown(steps, settings.LearningRate),
            _ => StepRenderer.Text(steps, settings.LearningRate),
        };
        console.Profile.Out.Writer.Write(text);
        return 0;
    }

    /// <summary>The network, input and target that explain and graph share.</summary>
    public static (HandDerivedMlp Network, Tensor Input, Tensor Target) Build(NetworkSettings settings)
    {
        var layers = ExplainOptions.Layers(settings.Layers);
        var loss = ExplainOptions.Loss(settings.Loss);
        var network = new HandDerivedMlp(layers, ExplainOptions.Activation(settings.Activation), loss, new Generator(settings.Seed));
        return (network, ExplainOptions.Input(settings.Input, layers[0]), ExplainOptions.Target(settings.Target, layers[^1], loss));
    }
}

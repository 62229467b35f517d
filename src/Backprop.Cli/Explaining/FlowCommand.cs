using System.ComponentModel;
using System.Globalization;
using Backprop.Cli.Plots;
using Backprop.Cli.Training;
using Backprop.Data;
using Backprop.Explain;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>
/// `backprop explain flow`: per-layer activation and gradient statistics of a deep (10-layer) MLP, for
/// vanishing gradients (sigmoid), healthy flow (ReLU with He initialisation) and exploding gradients
/// (weights three times too large), as tables and a PNG; with --cnn, convolutional networks with and
/// without batch norm, to show what batch norm does to the flow.
/// </summary>
internal sealed class FlowCommand(IAnsiConsole console) : Command<FlowCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--activation <NAME>")]
        [Description("Show one network with this activation (relu, sigmoid, tanh) instead of the three standard cases.")]
        public string? Activation { get; init; }

        [CommandOption("--init <NAME>")]
        [Description("With --activation: he, xavier, or large (3× He).")]
        [DefaultValue("he")]
        public string Init { get; init; } = "he";

        [CommandOption("--cnn")]
        [Description("Show convolutional networks (3×3 convolutions of 8 channels on 64 images) with and without BatchNorm instead of MLPs.")]
        [DefaultValue(false)]
        public bool Cnn { get; init; }

        [CommandOption("--depth <N>")]
        [Description("Linear layers (10 is the tutorial's deep case).")]
        [DefaultValue(10)]
        public int Depth { get; init; } = 10;

        [CommandOption("--width <N>")]
        [Description("Hidden layer width.")]
        [DefaultValue(64)]
        public int Width { get; init; } = 64;

        [CommandOption("--steps <N>")]
        [Description("SGD steps to take; the table shows the first.")]
        [DefaultValue(5)]
        public int Steps { get; init; } = 5;

        [CommandOption("--out <PNG>")]
        [Description("Where to write the plot (.png is added when the name has no extension).")]
        [DefaultValue("flow.png")]
        public string Out { get; init; } = "flow.png";

        public override ValidationResult Validate() =>
            Depth is < 2 or > 50 ? ValidationResult.Error("--depth must be from 2 to 50.")
            : Width is < 1 or > 1024 ? ValidationResult.Error("--width must be from 1 to 1024.")
            : Steps is < 1 or > 1000 ? ValidationResult.Error("--steps must be from 1 to 1000.")
            : Init is not ("he" or "xavier" or "large") ? ValidationResult.Error($"--init: '{Init}' is not one of he, xavier, large.")
            : ValidationResult.Success();
    }

    private sealed record Scenario(string Label, string Activation, string Init, bool BatchNorm = false);

    /// <summary>The channels of every convolution of --cnn.</summary>
    private const int CnnChannels = 8;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Scenario[] scenarios = (settings.Cnn, settings.Activation) switch
        {
            (false, null) => [new("sigmoid, Xavier init (vanishing)", "sigmoid", "xavier"), new("ReLU, He init (healthy)", "relu", "he"), new("ReLU, 3× He init (exploding)", "relu", "large")],
            (false, var activation) => [new($"{activation}, {settings.Init} init", activation, settings.Init)],
            (true, null) => [new("sigmoid CNN, Xavier init", "sigmoid", "xavier"), new("sigmoid CNN with BatchNorm", "sigmoid", "xavier", true), new("ReLU CNN, 3× He init", "relu", "large"), new("ReLU CNN with BatchNorm", "relu", "large", true)],
            (true, var activation) => [new($"{activation} CNN, {settings.Init} init", activation, settings.Init), new($"{activation} CNN with BatchNorm", activation, settings.Init, true)],
        };
        var data = Mnist.Load(TrainingData.DefaultMnistDirectory(), train: true).Take(settings.Cnn ? 64 : 256);
        var curves = new List<(string Label, double[] Values)>();
        foreach (var scenario in scenarios)
        {
            var (first, losses) = Run(scenario, settings, data);
            console.Write(Table(scenario, first, settings.Depth, settings.Cnn ? CnnChannels : settings.Width));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  loss over {settings.Steps} SGD steps: {string.Join(" → ", losses.Select(l => l.ToString("G4", CultureInfo.InvariantCulture)))}\n"));
            curves.Add((scenario.Label, first.Select(f => f.WeightGradNorm).ToArray()));
        }

        var png = Charts.SaveGradientFlow(settings.Out, curves);
        console.MarkupLine($"Wrote {Markup.Escape(png)}: ‖dL/dW‖ per layer at the first step, one line per network.");
        return 0;
    }

    private static (IReadOnlyList<LayerFlow> First, List<float> Losses) Run(Scenario scenario, Settings settings, MnistDataset data)
    {
        var generator = new Generator(1);
        var model = settings.Cnn ? Cnn(scenario, settings.Depth, generator) : Mlp(scenario, settings, generator);
        var monitor = new GradientFlowMonitor(model);
        var optimizer = new SGD(model.Parameters(), 0.01f);
        var loss = new CrossEntropyLoss();
        IReadOnlyList<LayerFlow>? first = null;
        var losses = new List<float>();
        for (var step = 0; step < settings.Steps; step++)
        {
            var l = loss.Forward(monitor.Forward(data.Inputs), data.Targets);
            optimizer.ZeroGrad();
            l.Backward();
            first ??= monitor.Collect();
            losses.Add(l.Item());
            optimizer.Step();
        }

        return (first!, losses);
    }

    /// <summary>The deep MLP: 784, then depth − 1 hidden layers of the width, then 10.</summary>
    private static Sequential Mlp(Scenario scenario, Settings settings, Generator generator)
    {
        int[] sizes = [784, .. Enumerable.Repeat(settings.Width, settings.Depth - 1), 10];
        var model = new Sequential();
        for (var i = 0; i < sizes.Length - 1; i++)
        {
            var linear = new Linear(sizes[i], sizes[i + 1], generator: generator);
            Initialise(linear.Weight, linear.Bias!, scenario, generator);
            model.Add(linear);
            if (i < sizes.Length - 2)
            {
                model.Add(Models.MlpSpec.CreateActivation(scenario.Activation));
            }
        }

        return model;
    }

    /// <summary>depth − 1 convolutions (3×3, padding 1, 8 channels), each with its batch norm when asked and the activation, then a Linear to 10 classes.</summary>
    private static Sequential Cnn(Scenario scenario, int depth, Generator generator)
    {
        var model = new Sequential(new Unflatten(1, [1, 28, 28]));
        for (var i = 0; i < depth - 1; i++)
        {
            var conv = new Conv2d(i == 0 ? 1 : CnnChannels, CnnChannels, 3, padding: 1, generator: generator);
            Initialise(conv.Weight, conv.Bias!, scenario, generator);
            model.Add(conv);
            if (scenario.BatchNorm)
            {
                model.Add(new BatchNorm2d(CnnChannels));
            }

            model.Add(Models.MlpSpec.CreateActivation(scenario.Activation));
        }

        model.Add(new Flatten());
        model.Add(new Linear(CnnChannels * 28 * 28, 10, generator: generator));
        return model;
    }

    private static void Initialise(Parameter weight, Parameter bias, Scenario scenario, Generator generator)
    {
        switch (scenario.Init)
        {
            case "xavier":
                Init.XavierNormal(weight, generator);
                break;
            case "large":
                Init.KaimingNormal(weight, generator, gain: 3f * MathF.Sqrt(2f));
                break;
            default:
                Init.KaimingNormal(weight, generator, gain: scenario.Activation == "relu" ? MathF.Sqrt(2f) : 1f);
                break;
        }

        Init.Zeros(bias);
    }

    private static Table Table(Scenario scenario, IReadOnlyList<LayerFlow> flows, int depth, int width)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(scenario.Label)}[/]: {depth} layers of width {width}, first step");
        foreach (var column in new[] { "layer", "act mean", "act std", "dead/neg %", "‖dL/dZ‖", "dL/dZ std", "‖dL/dW‖" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var f in flows)
        {
            table.AddRow(
                f.Layer.ToString(CultureInfo.InvariantCulture),
                f.ActivationMean.ToString("G3", CultureInfo.InvariantCulture),
                f.ActivationStd.ToString("G3", CultureInfo.InvariantCulture),
                (100 * f.DeadFraction).ToString("F1", CultureInfo.InvariantCulture),
                f.GradientNorm.ToString("G3", CultureInfo.InvariantCulture),
                f.GradientStd.ToString("G3", CultureInfo.InvariantCulture),
                f.WeightGradNorm.ToString("G3", CultureInfo.InvariantCulture));
        }

        return table;
    }
}

using System.ComponentModel;
using Backprop.Cli.Models;
using Backprop.Cli.Plots;
using Backprop.Cli.Prediction;
using Backprop.Cli.Training;
using Backprop.Data;
using Backprop.NN;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop explain activations`: what each convolution layer computes for one input, as a PNG of its feature maps per layer.</summary>
internal sealed class ActivationsCommand(IAnsiConsole console) : Command<ActivationsCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--input <FILE>")]
        [Description("A PNG (or JPEG) of a digit; without it, an image of the bundled MNIST test set.")]
        public string? Input { get; init; }

        [CommandOption("--index <N>")]
        [Description("Which test image to use without --input.")]
        [DefaultValue(0)]
        public int Index { get; init; }

        [CommandOption("--out <PREFIX>")]
        [Description("The files' prefix (default: activations beside the model): PREFIX-LAYER.png per convolution.")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Index is < 0 or >= 10_000 ? ValidationResult.Error("--index must be from 0 to 9999 (the MNIST test images).") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.LoadModel();
        float[] pixels;
        string source;
        if (settings.Input is not null)
        {
            pixels = DigitImage.Load(settings.Input);
            source = settings.Input;
        }
        else
        {
            var test = Mnist.Load(TrainingData.DefaultMnistDirectory(), train: false);
            pixels = test.Inputs[settings.Index..(settings.Index + 1)].ToArray();
            source = $"MNIST test image {settings.Index} (label {test.Targets.ToArray<long>()[settings.Index]})";
        }

        settings.FirstConv(file, "explain activations");
        var maps = new List<(string Name, Tensor Output)>();
        var hooks = file.Model.NamedModules()
            .Where(m => m.Module is Conv2d)
            .Select(m => ((Conv2d)m.Module).RegisterForwardHook((_, _, output) =>
            {
                maps.Add((m.Name, output.Clone()));
                return output;
            }))
            .ToList();
        Tensor logits;
        using (Tensor.NoGrad())
        {
            logits = file.Model.Forward(Tensor.FromArray(pixels, 1, pixels.Length));
        }

        hooks.ForEach(h => h.Dispose());
        var prefix = settings.Out ?? settings.BesideModel("activations");
        console.MarkupLine($"{Markup.Escape(source)}: predicted class [bold]{logits.Argmax(1).Item<long>()}[/]");
        foreach (var (name, output) in maps)
        {
            int channels = output.Shape[1], h = output.Shape[2], w = output.Shape[3];
            var data = output.ToArray();
            var tiles = Enumerable.Range(0, channels).Select(c => data.AsSpan(c * h * w, h * w).ToArray()).ToList();
            var path = ImageGrid.Save($"{prefix}-{name.Replace('.', '_')}.png", tiles, h, w, (int)Math.Ceiling(Math.Sqrt(channels)), ImageGrid.Scale.GreyPerTile);
            console.MarkupLine($"Wrote [bold]{Markup.Escape(path)}[/]: layer '{Markup.Escape(name)}', {channels} feature maps of {h}×{w} (each from its own minimum, black, to its maximum, white).");
        }

        return 0;
    }
}

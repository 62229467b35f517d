using System.ComponentModel;
using System.Globalization;
using Backprop.Cli.Models;
using Backprop.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Prediction;

/// <summary>`backprop predict`: the class and class probabilities a model gives to inputs from an IDX file, a CSV file or a PNG.</summary>
internal sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--input <FILE>")]
        [Description("An IDX image file (.gz or plain), a CSV file of features, or a PNG/JPEG of a digit.")]
        public string? Input { get; init; }

        [CommandOption("--label <COLUMN>")]
        [Description("A CSV column to ignore as the label (and show beside the prediction).")]
        public string? Label { get; init; }

        [CommandOption("--count <N>")]
        [Description("How many inputs of an IDX or CSV file to classify.")]
        [DefaultValue(10)]
        public int Count { get; init; } = 10;

        public override ValidationResult Validate() =>
            Model is null ? base.Validate()
            : Input is null ? ValidationResult.Error("--input is required: an IDX file, a CSV file or a PNG image.")
            : Count <= 0 ? ValidationResult.Error("--count must be positive.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.LoadModel();
        var (inputs, labels) = LoadInputs(settings, file);
        if (file.Spec.Inputs >= 0 && inputs.Size(1) != file.Spec.Inputs)
        {
            throw new ArgumentException($"the model takes {file.Spec.Inputs} inputs but {settings.Input} gives {inputs.Size(1)} per sample.");
        }

        Tensor probabilities;
        using (Tensor.NoGrad())
        {
            probabilities = file.Model.Forward(inputs).Softmax(1);
        }

        var classes = file.Spec.Outputs;
        var table = new Table().Border(TableBorder.Simple).Caption("class probabilities (softmax of the outputs)");
        table.AddColumn("#");
        if (labels is not null)
        {
            table.AddColumn("label");
        }

        table.AddColumn("predicted");
        for (var c = 0; c < classes; c++)
        {
            table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        }

        var p = probabilities.Span;
        for (var i = 0; i < inputs.Size(0); i++)
        {
            var row = p.Slice(i * classes, classes);
            var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
            var cells = new List<string> { i.ToString(CultureInfo.InvariantCulture) };
            if (labels is not null)
            {
                cells.Add(labels[i].ToString(CultureInfo.InvariantCulture));
            }

            cells.Add($"[bold]{best}[/]");
            for (var c = 0; c < classes; c++)
            {
                var text = row[c].ToString("F2", CultureInfo.InvariantCulture);
                cells.Add(c == best ? $"[bold green]{text}[/]" : text);
            }

            table.AddRow(cells.ToArray());
        }

        console.Write(table);
        return 0;
    }

    private static (Tensor Inputs, int[]? Labels) LoadInputs(Settings settings, ModelFile file)
    {
        var path = settings.Input!;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--input: {path}: no such file.", path);
        }

        var lower = path.ToLowerInvariant();
        if (lower.EndsWith(".png", StringComparison.Ordinal) || lower.EndsWith(".jpg", StringComparison.Ordinal) || lower.EndsWith(".jpeg", StringComparison.Ordinal))
        {
            return (Tensor.FromArray(DigitImage.Load(path), 1, DigitImage.Side * DigitImage.Side), null);
        }

        if (lower.EndsWith(".csv", StringComparison.Ordinal))
        {
            var csv = CsvData.Load(path, settings.Label);
            var n = Math.Min(settings.Count, csv.Features.Size(0));
            var features = csv.Features.Narrow(0, 0, n);
            var scaling = InputScaling.FromMetadata(file.Metadata);
            int[]? labels = settings.Label is null ? null : [.. csv.Labels!.Narrow(0, 0, n).ToArray().Select(v => (int)v)];
            return (scaling is null ? features : scaling.Apply(features), labels);
        }

        var idx = IdxFile.Read(path);
        var count = Math.Min(settings.Count, idx.Dims[0]);
        var perSample = idx.Dims.Skip(1).Aggregate(1, (a, b) => a * b);
        var pixels = idx.Data.Span[..(count * perSample)];
        var values = new float[pixels.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = pixels[i] / 255f;
        }

        return (Tensor.FromArray(values, count, perSample), null);
    }
}

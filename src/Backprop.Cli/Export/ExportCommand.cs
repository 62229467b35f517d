using System.ComponentModel;
using Backprop.Cli.Models;
using Backprop.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Export;

/// <summary>`backprop export --onnx`: writes a trained model as an ONNX file that ONNX Runtime can run.</summary>
internal sealed class ExportCommand(IAnsiConsole console) : Command<ExportCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--onnx")]
        [Description("Export to ONNX (opset 20, dynamic batch dimension).")]
        public bool Onnx { get; init; }

        [CommandOption("--model <FILE>")]
        [Description("The model: a .safetensors file from backprop train (or PyTorch, with --layers).")]
        public string? Model { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The .onnx file to write (default: the model's name with .onnx).")]
        public string? Out { get; init; }

        [CommandOption("--layers <SIZES>")]
        [Description("The architecture, when the model file's metadata lacks it.")]
        public string? Layers { get; init; }

        [CommandOption("--activation <NAME>")]
        [Description("The hidden activation, when the model file's metadata lacks it.")]
        public string? Activation { get; init; }

        public override ValidationResult Validate() =>
            !Onnx ? ValidationResult.Error("export: name the format with --onnx (the only one so far).")
            : Model is null ? ValidationResult.Error("--model is required: the .safetensors file to export.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = ModelFile.Load(settings.Model!, settings.Layers, settings.Activation);
        var output = settings.Out ?? Path.ChangeExtension(settings.Model!, ".onnx");
        file.Model.ExportOnnx(output, 1, file.Spec.Inputs);
        console.WriteLine($"Wrote {output}: {file.Spec.LayersText} {file.Spec.Activation} MLP, input [batch, {file.Spec.Inputs}], output [batch, {file.Spec.Outputs}], opset {OnnxExport.Opset}.");
        return 0;
    }
}

using System.ComponentModel;
using Spectre.Console.Cli;

namespace Backprop.Cli.Models;

/// <summary>The options of the commands that read a trained model: the file, and its architecture when the file does not name it.</summary>
internal class ModelSettings : CommandSettings
{
    [CommandOption("--model <FILE>")]
    [Description("The model: a .safetensors file from backprop train (or PyTorch, with --layers).")]
    public string? Model { get; init; }

    [CommandOption("--layers <SIZES>")]
    [Description("The architecture, when the model file's metadata lacks it.")]
    public string? Layers { get; init; }

    [CommandOption("--activation <NAME>")]
    [Description("The hidden activation, when the model file's metadata lacks it.")]
    public string? Activation { get; init; }

    /// <summary>A path beside the model file, for the files a command writes by default.</summary>
    public string BesideModel(string name) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Model!))!, name);

    /// <summary>The first Conv2d of a loaded model and its name, or an error naming the command and the model.</summary>
    public (string Name, Backprop.NN.Conv2d Layer) FirstConv(ModelFile file, string command)
    {
        foreach (var (name, module) in file.Model.NamedModules())
        {
            if (module is Backprop.NN.Conv2d conv)
            {
                return (name, conv);
            }
        }

        throw new ArgumentException($"{command}: {Model} has no Conv2d layer ({file.Spec.Name}); train one with --model cnn, for example.");
    }

    /// <summary>Loads the model the options name.</summary>
    public ModelFile LoadModel() => ModelFile.Load(Model!, Layers, Activation);

    /// <inheritdoc/>
    public override Spectre.Console.ValidationResult Validate() =>
        Model is null ? Spectre.Console.ValidationResult.Error("--model is required: the .safetensors file to use.") : Spectre.Console.ValidationResult.Success();
}

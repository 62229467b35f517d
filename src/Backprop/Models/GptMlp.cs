using Backprop.NN;

namespace Backprop.Models;

/// <summary>The feed-forward half of a <see cref="GptBlock"/>: Linear to 4× width, GELU, Linear back (nanoGPT's c_fc, c_proj).</summary>
public sealed class GptMlp : Module<Tensor, Tensor>
{
    /// <summary>Makes the layers.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public GptMlp(GptConfig config, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        CFc = RegisterModule("c_fc", new Linear(config.Width, 4 * config.Width, generator: generator));
        CProj = RegisterModule("c_proj", new Linear(4 * config.Width, config.Width, generator: generator));
        Dropout = RegisterModule("dropout", new Dropout(config.Dropout, generator));
    }

    /// <summary>The expansion to 4× width.</summary>
    public Linear CFc { get; }

    /// <summary>The projection back to the width (a residual projection).</summary>
    public Linear CProj { get; }

    /// <summary>The dropout on the branch's output.</summary>
    public Dropout Dropout { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Dropout.Call(CProj.Call(CFc.Call(input).Gelu()));
}

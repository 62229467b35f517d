using Backprop.NN;

namespace Backprop.Explain;

/// <summary>
/// Watches the gradient flow of a <see cref="Sequential"/> network in any training loop: run the forward
/// pass through <see cref="Forward"/>, call Backward as usual, then <see cref="Collect"/> gives per-layer
/// statistics of activations and gradients — where gradients vanish, explode, or ReLUs die.
/// </summary>
public sealed class GradientFlowMonitor
{
    private readonly Sequential _model;
    private readonly List<(int Index, Parameter Weight, Tensor PreActivation, Tensor Output)> _taps = [];

    /// <summary>Attaches to a sequential model.</summary>
    /// <param name="model">The model.</param>
    public GradientFlowMonitor(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>
    /// The model's forward pass, keeping each Linear or convolution layer's output, and the output after the
    /// batch norm and activation that follow it, for inspection.
    /// </summary>
    /// <param name="input">The input batch.</param>
    /// <returns>The model's output.</returns>
    public Tensor Forward(Tensor input)
    {
        _taps.Clear();
        var x = input;
        var layers = _model.Layers;
        for (var i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x);
            var weight = layers[i] switch
            {
                Linear linear => linear.Weight,
                ConvBase conv => conv.Weight,
                _ => null,
            };
            if (weight is null)
            {
                continue;
            }

            var preActivation = x.RetainGrad();
            var after = false;
            while (i + 1 < layers.Count && layers[i + 1] is BatchNormBase or ReLU or LeakyReLU or Sigmoid or Tanh or GELU)
            {
                x = layers[++i].Forward(x);
                after = true;
            }

            if (after)
            {
                x = x.RetainGrad();
            }

            _taps.Add((_taps.Count + 1, weight, preActivation, x));
        }

        return x;
    }

    /// <summary>Per-layer statistics of the last forward and backward pass (call after Backward).</summary>
    /// <returns>One entry per Linear or convolution layer, input side first.</returns>
    public IReadOnlyList<LayerFlow> Collect()
    {
        var result = new List<LayerFlow>();
        foreach (var (index, weight, pre, output) in _taps)
        {
            var values = output.Span;
            var dead = 0;
            foreach (var v in values)
            {
                dead += v <= 0f ? 1 : 0;
            }

            var grad = pre.Grad;
            var weightGrad = weight.Grad;
            result.Add(new LayerFlow(
                index,
                Mean(values),
                Std(values),
                values.Length == 0 ? 0 : dead / (double)values.Length,
                grad is null ? 0 : Mean(grad.Span),
                grad is null ? 0 : Std(grad.Span),
                grad is null ? 0 : Norm(grad.Span),
                weightGrad is null ? 0 : Norm(weightGrad.Span)));
        }

        return result;
    }

    private static double Mean(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (var x in v)
        {
            sum += x;
        }

        return v.Length == 0 ? 0 : sum / v.Length;
    }

    private static double Std(ReadOnlySpan<float> v)
    {
        var mean = Mean(v);
        double sum = 0;
        foreach (var x in v)
        {
            sum += (x - mean) * (x - mean);
        }

        return v.Length == 0 ? 0 : Math.Sqrt(sum / v.Length);
    }

    private static double Norm(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (var x in v)
        {
            sum += (double)x * x;
        }

        return Math.Sqrt(sum);
    }
}

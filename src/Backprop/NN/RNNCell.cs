using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>One step of an Elman RNN, as torch.nn.RNNCell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).</summary>
public sealed class RNNCell : RNNCellBase
{
    /// <summary>Makes the cell.</summary>
    /// <param name="inputSize">The features of the input.</param>
    /// <param name="hiddenSize">The hidden state's size.</param>
    /// <param name="bias">Whether it has biases.</param>
    /// <param name="nonlinearity">"tanh" or "relu".</param>
    /// <param name="generator">The random source of initialisation.</param>
    public RNNCell(int inputSize, int hiddenSize, bool bias = true, string nonlinearity = "tanh", Generator? generator = null)
        : base("RNNCell", nonlinearity switch
        {
            "tanh" => CellKind.RnnTanh,
            "relu" => CellKind.RnnRelu,
            _ => throw new ArgumentException($"RNNCell: nonlinearity '{nonlinearity}' is not one of tanh, relu.", nameof(nonlinearity)),
        }, inputSize, hiddenSize, bias, generator)
    {
    }

    /// <summary>One step.</summary>
    /// <param name="input">[B, input] or [input].</param>
    /// <param name="h">The hidden state [B, H], or null for zeros.</param>
    /// <returns>The next hidden state.</returns>
    public Tensor Forward(Tensor input, Tensor? h = null) => Step(input, h, null).H;
}

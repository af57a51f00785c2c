"""Tests of nmbook.gradcheck against derivatives known in closed form."""

import numpy as np
import pytest

from nmbook.gradcheck import (
    check_gradients,
    check_parameters,
    numerical_gradient,
    relative_error,
)
from nmbook.layers import Parameter


def test_numerical_gradient_of_a_quadratic_is_exact():
    # d/dx sum(a * x**2) = 2 a x; central differences are exact for quadratics (up to
    # rounding).
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    g = numerical_gradient(lambda: float(np.sum(a * x**2)), x)
    np.testing.assert_allclose(g, 2 * a * x, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_restores_the_input():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    numerical_gradient(lambda: float(np.prod(x)), x)
    np.testing.assert_array_equal(x, before)


def test_relative_error_values():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||(1,0) - (0,0)|| / (1 + 0) = 1
    assert relative_error(np.array([1.0, 0.0]), np.zeros(2)) == pytest.approx(1.0)
    # ||(1,1) - (1,1.1)|| / (sqrt(2) + sqrt(2.21))
    expected = 0.1 / (np.sqrt(2) + np.sqrt(2.21))
    assert relative_error(np.array([1.0, 1.0]), np.array([1.0, 1.1])) == pytest.approx(
        expected
    )


def test_check_gradients_detects_a_wrong_gradient():
    x = np.linspace(-1, 1, 5)
    f = lambda: float(np.sum(np.sin(x)))  # noqa: E731
    assert check_gradients(f, {"x": x}, {"x": np.cos(x)})["x"] < 1e-8
    assert check_gradients(f, {"x": x}, {"x": 1.1 * np.cos(x)})["x"] > 1e-2


def test_check_parameters_uses_names_and_grads():
    p = Parameter(np.array([0.5, -0.25]), name="w")
    p.grad[...] = 3 * p.value**2  # d/dw sum(w^3)
    errs = check_parameters(lambda: float(np.sum(p.value**3)), [p])
    assert set(errs) == {"w"} and errs["w"] < 1e-8


def test_bad_input_raises():
    with pytest.raises(TypeError, match="x must be a float64"):
        numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_gradient(lambda: 0.0, np.zeros(3), eps=0.0)
    with pytest.raises(ValueError, match="C-contiguous"):
        numerical_gradient(lambda: 0.0, np.zeros((3, 4))[:, ::2])
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="missing gradients"):
        check_gradients(lambda: 0.0, {"x": np.zeros(2)}, {})

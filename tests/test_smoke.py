from tests.conftest import outbox


def test_catalogue_lists_open_programme(client, programme, factories):
    factories.fill(programme, 2)
    response = client.get("/")
    assert response.status_code == 200
    assert programme.title in response.get_data(as_text=True)
    assert len(outbox("registration.confirmed")) == 2

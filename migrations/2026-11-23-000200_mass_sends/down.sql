DROP TABLE mass_sends;
